/**
 * Report rows from rollup parts (5-minute buckets, agent days, region days). Pure.
 * Counts and the parts of ratios are summed; ratios are formed last (null when nothing to
 * divide by, as the definitions say). Staffing advice is Erlang C from src/core/metrics.
 */
import {
  AGENT_COUNTERS,
  AGENT_TIME_COUNTERS,
  CALL_COUNTERS,
  counterAdder,
  shownCallCounts,
  zeroCounts,
  type AgentCounts,
  type AgentTimeCounts,
  type CallCounts,
  type ShownCallCounts,
} from '../../core/metrics/counters.js';
import { occupancy, type Ratio } from '../../core/metrics/definitions.js';
import { staffingAdvice } from '../../core/metrics/erlang-c.js';
import { intervalLengthMs, intervalStart } from '../../core/metrics/intervals.js';
import type { CallerRegion } from '../../core/metrics/regions.js';
import { BUCKET_MINUTES, type AgentDay, type CallBucket, type RegionDay, type StaffBucket } from './rollup.js';

const ratio = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  value: denominator > 0 ? numerator / denominator : null,
});

/** Interval lengths the 5-minute rollup can serve: multiples of 5 that divide 60. */
export const INTERVAL_MINUTES = [5, 10, 15, 20, 30, 60] as const;

/** The agent states that count as taking calls (the seed's 接听 column). */
export const ANSWERING_STATES = ['available', 'reserved', 'on_call', 'wrap_up'] as const;

/** A bucket's figures without its place (time and queue): what buckets add up to. */
type CallSums = CallCounts;

const zeroSums = (): CallSums => zeroCounts(CALL_COUNTERS);
const addSums = counterAdder(CALL_COUNTERS);

export interface Staffing {
  /** available + reserved + on_call + wrap_up (接听). */
  answering: number;
  available: number;
  reserved: number;
  onCall: number;
  wrapUp: number;
  /** All paused agents; byReason splits them (training, meeting, paperwork, break, no_answer...). */
  paused: number;
  byReason: Record<string, number>;
}

/** The shown call counters (counters.ts), then the figures formed from the others. */
export interface IntervalLine extends ShownCallCounts {
  start: number;
  end: number;
  serviceLevel: Ratio;
  /** Mean wait of the answered calls, ms. */
  asaMs: number | null;
  /** Mean handle time (talk + wrap-up; no hold yet) of the calls answered in the interval, ms. */
  ahtMs: number | null;
  staffing: Staffing;
  /** Erlang C: offered load and agents needed on the phones for the target (null: no handle time known). */
  trafficErlangs: number | null;
  agentsNeeded: number | null;
  /** Erlang C service level with agentsNeeded agents. */
  predictedServiceLevel: number | null;
}

export interface IntervalTotals extends ShownCallCounts {
  serviceLevel: Ratio;
  asaMs: number | null;
  ahtMs: number | null;
  abandonRate: Ratio;
  longestWaitMs: number | null;
}

export interface IntervalOptions {
  tz: string;
  minutes: number;
  /** Only this queue's calls; all queues (and calls that never queued) when absent. */
  queue?: string;
  targetS: number;
  targetSL: number;
}

const emptyStaffing = (): Staffing => ({ answering: 0, available: 0, reserved: 0, onCall: 0, wrapUp: 0, paused: 0, byReason: {} });

/**
 * The 来电量与人力安排 report: one line per interval with any calls or staff, Erlang C advice
 * beside the actual staffing. Staffing is the whole center (agents serve several queues).
 */
export function intervalLines(
  calls: readonly CallBucket[],
  staff: readonly StaffBucket[],
  o: IntervalOptions,
): { lines: IntervalLine[]; totals: IntervalTotals } {
  if (!(INTERVAL_MINUTES as readonly number[]).includes(o.minutes))
    throw new RangeError(`minutes must be one of ${INTERVAL_MINUTES.join(', ')}`);
  const len = intervalLengthMs(o.minutes);
  const share = BUCKET_MINUTES / o.minutes; // a bucket's average counts for this much of the interval's
  const sums = new Map<number, CallSums>();
  const staffing = new Map<number, Staffing>();
  const total = zeroSums();
  // Buckets repeat once per queue: ask the core once per distinct bucket.
  const starts = new Map<number, number>();
  const startOf = (bucket: number) => {
    let s = starts.get(bucket);
    if (s === undefined) starts.set(bucket, (s = intervalStart(bucket, o.tz, o.minutes)));
    return s;
  };
  for (const b of calls) {
    if (o.queue !== undefined && b.queue !== o.queue) continue;
    const start = startOf(b.bucket);
    let s = sums.get(start);
    if (!s) sums.set(start, (s = zeroSums()));
    addSums(s, b);
    addSums(total, b);
  }
  for (const b of staff) {
    const start = startOf(b.bucket);
    let s = staffing.get(start);
    if (!s) staffing.set(start, (s = emptyStaffing()));
    const st = (k: string) => (b.byState[k] ?? 0) * share;
    s.available += st('available');
    s.reserved += st('reserved');
    s.onCall += st('on_call');
    s.wrapUp += st('wrap_up');
    s.paused += st('paused');
    s.answering += ANSWERING_STATES.reduce((a, k) => a + st(k), 0);
    for (const [reason, v] of Object.entries(b.byReason)) s.byReason[reason] = (s.byReason[reason] ?? 0) + v * share;
  }
  const rangeAhtMs = total.handleN > 0 ? total.handleMs / total.handleN : null;
  const lineStarts = [...new Set([...sums.keys(), ...staffing.keys()])].sort((a, b) => a - b);
  const lines = lineStarts.map((start): IntervalLine => {
    const s = sums.get(start) ?? zeroSums();
    const ahtMs = s.handleN > 0 ? s.handleMs / s.handleN : null;
    // An interval with calls but no finished answer borrows the range's handle time.
    const forecastAht = ahtMs ?? rangeAhtMs;
    const advice =
      forecastAht === null
        ? undefined
        : staffingAdvice([{ start, offered: s.offered, ahtS: forecastAht / 1000 }], {
            targetS: o.targetS,
            targetSL: o.targetSL,
            intervalS: o.minutes * 60,
          })[0];
    return {
      start,
      end: start + len,
      ...shownCallCounts(s),
      serviceLevel: ratio(s.slWithin, s.slDen),
      asaMs: s.asaN > 0 ? s.asaMs / s.asaN : null,
      ahtMs,
      staffing: staffing.get(start) ?? emptyStaffing(),
      trafficErlangs: advice?.trafficErlangs ?? null,
      agentsNeeded: advice?.needed ?? null,
      predictedServiceLevel: advice?.serviceLevel ?? null,
    };
  });
  return { lines, totals: totalsOf(total) };
}

function totalsOf(s: CallSums): IntervalTotals {
  return {
    ...shownCallCounts(s),
    serviceLevel: ratio(s.slWithin, s.slDen),
    asaMs: s.asaN > 0 ? s.asaMs / s.asaN : null,
    ahtMs: s.handleN > 0 ? s.handleMs / s.handleN : null,
    abandonRate: ratio(s.arNum, s.arDen),
    longestWaitMs: s.longestWaitMs,
  };
}

export interface QueueLine extends IntervalTotals {
  /** Queue name; null on the all-queues line. */
  queue: string | null;
}

/** Per queue over the range, plus an all-queues line. Calls that never queued are in neither. */
export function queueLines(calls: readonly CallBucket[], queue?: string): QueueLine[] {
  const per = new Map<string, CallSums>();
  const all = zeroSums();
  for (const b of calls) {
    if (b.queue === '' || (queue !== undefined && b.queue !== queue)) continue;
    let s = per.get(b.queue);
    if (!s) per.set(b.queue, (s = zeroSums()));
    addSums(s, b);
    addSums(all, b);
  }
  const lines: QueueLine[] = [...per.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([q, s]) => ({ queue: q, ...totalsOf(s) }));
  if (queue === undefined || lines.length === 0) lines.push({ queue: null, ...totalsOf(all) });
  return lines;
}

export interface AgentLine {
  agentId: string;
  offered: number;
  answered: number;
  noAnswer: number;
  cancelled: number;
  /** Talk + hold + wrap-up per answered call; hold is 0 until hold exists. */
  ahtMs: number | null;
  handled: number;
  msByState: Record<string, number>;
  msByPauseReason: Record<string, number>;
  occupancy: Ratio;
}

const addAgentCounts = counterAdder(AGENT_COUNTERS);
const addAgentTime = counterAdder(AGENT_TIME_COUNTERS);

/**
 * Per agent over the range. With a queue: offers and handle time of that queue's calls, beside
 * the agent's whole state time (state time is not per queue); only agents offered its calls.
 */
export function agentLines(days: readonly AgentDay[], queue?: string): AgentLine[] {
  const sums = new Map<string, AgentCounts & AgentTimeCounts>();
  const sum = (agentId: string) => {
    let l = sums.get(agentId);
    if (!l) sums.set(agentId, (l = { ...zeroCounts(AGENT_COUNTERS), ...zeroCounts(AGENT_TIME_COUNTERS) }));
    return l;
  };
  const counted = queue ?? '*';
  for (const d of days) if (d.queue === counted) addAgentCounts(sum(d.agentId), d);
  for (const d of days) {
    if (d.queue !== '*' || (queue !== undefined && !sums.has(d.agentId))) continue;
    addAgentTime(sum(d.agentId), d);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([agentId, s]) => ({
      agentId,
      offered: s.offered,
      answered: s.answered,
      noAnswer: s.noAnswer,
      cancelled: s.cancelled,
      ahtMs: s.handleN > 0 ? s.handleMs / s.handleN : null,
      handled: s.handleN,
      msByState: s.msByState,
      msByPauseReason: s.msByReason,
      occupancy: occupancy(s.msByState),
    }));
}

export const REGIONS: readonly CallerRegion[] = ['home_city', 'home_province', 'other_province', 'international', 'mobile', 'unknown'];

export interface RegionLine {
  month: string;
  counts: Record<CallerRegion, number>;
  /** The seed's 小计: fixed lines from outside the home city (省内非杭州 + 省外 + 国际). */
  outsideFixed: number;
  total: number;
}

/** 异地固话来电统计: per month (local), callers by region. */
export function regionLines(days: ReadonlyArray<RegionDay & { day: string }>, months: readonly string[], queue?: string): RegionLine[] {
  const per = new Map<string, Record<CallerRegion, number>>();
  for (const m of months) per.set(m, Object.fromEntries(REGIONS.map((r) => [r, 0])) as Record<CallerRegion, number>);
  for (const d of days) {
    if (queue !== undefined && d.queue !== queue) continue;
    const c = per.get(d.day.slice(0, 7));
    if (!c) continue;
    for (const r of REGIONS) c[r] += d.counts[r];
  }
  return months.map((month) => {
    const counts = per.get(month)!;
    return {
      month,
      counts,
      outsideFixed: counts.home_province + counts.other_province + counts.international,
      total: REGIONS.reduce((a, r) => a + counts[r], 0),
    };
  });
}
