/**
 * Report rows as chart series: what the three charts draw, computed without ECharts so it can
 * be tested on its own. Pure.
 */
import type { T } from '../../lib/i18n';
import type { AbandonRow, IntervalRow, RegionRow } from './types';

/** An interval with anything in it: a call, an IVR visit or an agent signed in. */
export function intervalHasData(r: IntervalRow): boolean {
  const s = r.staffing;
  return r.ivrVisits + r.offered + r.answered + r.abandoned > 0 || s.answering + s.paused > 0;
}

/**
 * The intervals from the first to the last one with data: a day has 96 quarters, the hotline's
 * working hours a third of them. Empty intervals inside the span stay (a gap is information).
 */
export function trimIntervals(rows: readonly IntervalRow[]): IntervalRow[] {
  const first = rows.findIndex(intervalHasData);
  if (first < 0) return [];
  let last = rows.length - 1;
  while (!intervalHasData(rows[last]!)) last--;
  return rows.slice(first, last + 1);
}

/** Average agents to one decimal: staffing is a mean over the interval (2 agents for half of it = 1.0). */
export const agents1 = (n: number | null | undefined): number | null => (n == null || !Number.isFinite(n) ? null : Math.round(n * 10) / 10);

export interface IntervalSeries {
  labels: string[];
  offered: number[];
  answered: number[];
  abandoned: number[];
  /** Average agents answering (available + ringing + on call + wrap-up). */
  answering: Array<number | null>;
  /** Erlang C: agents needed for the service-level target; null where no advice could be given. */
  needed: Array<number | null>;
}

/** Interval volume beside staffing and Erlang C's advice; labels carry the day when the range has several. */
export function intervalSeries(rows: readonly IntervalRow[]): IntervalSeries {
  const trimmed = trimIntervals(rows);
  const days = new Set(trimmed.map((r) => r.date)).size;
  return {
    labels: trimmed.map((r) => (days > 1 ? `${r.date.slice(5)} ${r.label.slice(0, 5)}` : r.label.slice(0, 5))),
    offered: trimmed.map((r) => r.offered),
    answered: trimmed.map((r) => r.answered),
    abandoned: trimmed.map((r) => r.abandoned),
    answering: trimmed.map((r) => agents1(r.staffing.answering)),
    needed: trimmed.map((r) => r.agentsNeeded),
  };
}

export const REGION_KEYS = ['homeCity', 'homeProvince', 'otherProvince', 'international', 'mobile', 'unknown'] as const;
export type RegionKey = (typeof REGION_KEYS)[number];

/** The region's name as the seed's 异地固话来电统计 heads it, with the home city's name. */
export function regionName(key: RegionKey, city: string, t: T): string {
  switch (key) {
    case 'homeCity':
      return t(`${city}本地电话`, `${city} (home city)`);
    case 'homeProvince':
      return t(`省内非${city}电话`, 'Home province, other cities');
    case 'otherProvince':
      return t('省外电话', 'Other provinces');
    case 'international':
      return t('国际电话', 'International');
    case 'mobile':
      return t('手机', 'Mobile');
    case 'unknown':
      return t('未知', 'Unknown');
  }
}

/** Calls per region over every month of the range, regions without calls left out (a pie of zeros says nothing). */
export function regionShare(rows: readonly RegionRow[], city: string, t: T): Array<{ key: RegionKey; name: string; value: number }> {
  return REGION_KEYS.map((key) => ({ key, name: regionName(key, city, t), value: rows.reduce((n, r) => n + r[key], 0) })).filter(
    (s) => s.value > 0,
  );
}

/** Wait-time bands of the abandon chart, in seconds: [from, to). */
export const WAIT_BANDS: ReadonlyArray<readonly [number, number]> = [
  [0, 10],
  [10, 20],
  [20, 30],
  [30, 60],
  [60, 120],
  [120, Infinity],
];

export function bandLabel([from, to]: readonly [number, number], t: T): string {
  return to === Infinity ? t(`${from}秒以上`, `${from} s +`) : t(`${from}–${to}秒`, `${from}–${to} s`);
}

export interface AbandonSeries {
  bands: string[];
  /** Per place the caller gave up in, the count in each band. */
  queue: number[];
  ringing: number[];
  /** IVR hang-ups never waited for a person: one count beside the bands. */
  ivr: number;
}

/** Abandoned calls by how long they waited, split by where they gave up (queue or while ringing). */
export function abandonSeries(rows: readonly AbandonRow[], t: T): AbandonSeries {
  const out: AbandonSeries = {
    bands: WAIT_BANDS.map((b) => bandLabel(b, t)),
    queue: WAIT_BANDS.map(() => 0),
    ringing: WAIT_BANDS.map(() => 0),
    ivr: 0,
  };
  for (const r of rows) {
    if (r.abandonedAt !== 'queue' && r.abandonedAt !== 'ringing') {
      out.ivr++;
      continue;
    }
    const s = (r.waitMs ?? 0) / 1000;
    const band = WAIT_BANDS.findIndex(([from, to]) => s >= from && s < to);
    out[r.abandonedAt][band < 0 ? 0 : band]!++;
  }
  return out;
}
