/**
 * Local calendar days and months of the hotline's time zone, for report ranges. Pure.
 * A report "from 2008-01-18 to 2008-01-18" is the whole local day: [local midnight, next midnight).
 */
import { offsetAt, tzOffsetMs } from '../../core/metrics/intervals.js';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' if it names a real calendar day, else undefined. */
export function parseDay(s: string): string | undefined {
  const m = DAY_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || y < 1970 || y > 2200) return undefined;
  return s;
}

/** 'YYYY-MM' if valid, else undefined. */
export function parseMonth(s: string): string | undefined {
  const m = MONTH_RE.exec(s);
  if (!m) return undefined;
  const mo = Number(m[2]);
  return mo >= 1 && mo <= 12 && parseDay(`${s}-01`) ? s : undefined;
}

function utcMidnight(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

/** Epoch ms of local midnight starting `day` in `tz`. */
export function dayStart(day: string, tz: string): number {
  const naive = utcMidnight(day);
  const guess = naive - tzOffsetMs(naive, tz);
  return naive - tzOffsetMs(guess, tz);
}

/** The local day containing `ts`. */
export function localDay(ts: number, tz: string): string {
  return new Date(ts + offsetAt(ts, tz)).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return new Date(utcMidnight(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = utcMidnight(from), end = utcMidnight(to); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

export function dayCount(from: string, to: string): number {
  return Math.round((utcMidnight(to) - utcMidnight(from)) / DAY_MS) + 1;
}

/** First and last day of the months from..to ('YYYY-MM', both included). */
export function monthRange(from: string, to: string): { fromDay: string; toDay: string } {
  const [y, m] = to.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  return { fromDay: `${from}-01`, toDay: last };
}

export function monthCount(from: string, to: string): number {
  const [y1, m1] = from.split('-').map(Number) as [number, number];
  const [y2, m2] = to.split('-').map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1) + 1;
}

/** Local wall-clock 'YYYY-MM-DD HH:MM:SS' of an instant (for CSV cells). */
export function localDateTime(ts: number, tz: string): string {
  return new Date(ts + offsetAt(ts, tz)).toISOString().slice(0, 19).replace('T', ' ');
}
