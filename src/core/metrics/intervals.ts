/**
 * Report intervals (15 minutes by default) on the wall clock of the hotline's time zone,
 * and the rule for anything that lasts: a state or a call spanning a boundary is split
 * by the time spent in each interval. Moments (a call offered, answered...) are counted
 * in the interval that contains them; see definitions.ts for which moment counts.
 *
 * Times are epoch milliseconds. Intervals are half-open: [start, start + length).
 * Pure: offsets come from Intl (tz database), never from the host clock or zone.
 */
export const DEFAULT_TZ = 'Asia/Shanghai';
export const DEFAULT_INTERVAL_MINUTES = 15;

const MINUTE_MS = 60_000;

/**
 * Lengths that divide an hour keep every interval aligned to local :00 whatever the zone's
 * offset (+05:45 included) and make each interval exactly `minutes` long in absolute time.
 */
export function intervalLengthMs(minutes: number = DEFAULT_INTERVAL_MINUTES): number {
  if (!Number.isInteger(minutes) || minutes <= 0 || 60 % minutes !== 0) {
    throw new RangeError(`interval minutes must divide 60, got ${minutes}`);
  }
  return minutes * MINUTE_MS;
}

// A formatter per zone: building one is costly, and the cache is not observable state.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/**
 * UTC offset of `tz` at instant `ts`, in ms (Asia/Shanghai: +8 h).
 * Read from the local calendar fields rather than a zone-name string, so it works for any
 * zone, fixed or with DST, and for offsets that are not whole hours.
 */
export function tzOffsetMs(ts: number, tz: string = DEFAULT_TZ): number {
  if (!Number.isFinite(ts)) throw new RangeError(`not a time: ${ts}`);
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ts))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const wholeSecond = Math.floor(ts / 1000) * 1000; // Intl drops milliseconds
  return asUtc - wholeSecond;
}

// Offsets remembered per zone and UTC quarter-hour: in every zone in use today, offsets change only
// on quarter-hour boundaries (one that did not is read exactly: offsetAt), and Intl (about 3 µs a call) was the larger part of building a day's
// report figures, which today's live figures do every few seconds. Not observable state either.
const QUARTER_MS = 900_000;
const quarterOffsets = new Map<string, number>();

/**
 * tzOffsetMs at `ts`, read once per zone and UTC quarter-hour. A quarter-hour within which the
 * offset changes (St John's changed at 00:01 local until 2011, 03:31 UTC) is remembered as such
 * (NaN) and read exactly each time.
 */
export function offsetAt(ts: number, tz: string = DEFAULT_TZ): number {
  const quarter = Math.floor(ts / QUARTER_MS);
  const key = `${tz}|${quarter}`;
  let off = quarterOffsets.get(key);
  if (off === undefined) {
    if (quarterOffsets.size > 100_000) quarterOffsets.clear();
    const first = tzOffsetMs(quarter * QUARTER_MS, tz);
    off = first === tzOffsetMs((quarter + 1) * QUARTER_MS - 1, tz) ? first : NaN;
    quarterOffsets.set(key, off);
  }
  return Number.isNaN(off) ? tzOffsetMs(ts, tz) : off;
}

/**
 * Start of the interval containing `ts`: floor of the local wall-clock time.
 * The offset is the one in force at `ts`, so the result is always <= ts and less than one
 * interval before it (exact for fixed-offset zones such as China; DST zones are exact
 * whenever the change falls on an interval boundary, as all real ones do at 15 minutes).
 */
export function intervalStart(ts: number, tz: string = DEFAULT_TZ, minutes: number = DEFAULT_INTERVAL_MINUTES): number {
  const len = intervalLengthMs(minutes);
  const off = offsetAt(ts, tz);
  const local = ts + off;
  return local - mod(local, len) - off;
}

export interface IntervalShare {
  intervalStart: number;
  ms: number;
}

/**
 * The rule for anything with a duration: [start, end) is cut at interval boundaries and
 * each interval gets the milliseconds that fell inside it. A span ending exactly on a
 * boundary contributes nothing to the next interval; an empty or reversed span yields [].
 */
export function splitSpan(
  start: number,
  end: number,
  tz: string = DEFAULT_TZ,
  minutes: number = DEFAULT_INTERVAL_MINUTES,
): IntervalShare[] {
  const len = intervalLengthMs(minutes);
  const out: IntervalShare[] = [];
  let cur = start;
  while (cur < end) {
    const s = intervalStart(cur, tz, minutes);
    const next = Math.min(s + len, end); // s <= cur < s + len, so this always advances
    out.push({ intervalStart: s, ms: next - cur });
    cur = next;
  }
  return out;
}

/** Starts of every interval that overlaps [from, to): the rows of a report grid, empty ones included. */
export function intervalStarts(from: number, to: number, tz: string = DEFAULT_TZ, minutes: number = DEFAULT_INTERVAL_MINUTES): number[] {
  return splitSpan(from, to, tz, minutes).map((s) => s.intervalStart);
}

/** Local wall-clock "HH:MM" of an instant, for labels such as the seed's "08:45~09:00". */
export function localHhMm(ts: number, tz: string = DEFAULT_TZ): string {
  const local = ts + offsetAt(ts, tz);
  const minuteOfDay = Math.floor(mod(local, 86_400_000) / MINUTE_MS);
  const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
  const mm = String(minuteOfDay % 60).padStart(2, '0');
  return `${hh}:${mm}`;
}

export function intervalLabel(start: number, tz: string = DEFAULT_TZ, minutes: number = DEFAULT_INTERVAL_MINUTES): string {
  return `${localHhMm(start, tz)}~${localHhMm(start + intervalLengthMs(minutes), tz)}`;
}

/** Time an agent spent in one state; `reason` is the pause reason when state is 'paused'. */
export interface StateSpan {
  agentId: string;
  state: string;
  reason?: string;
  start: number;
  end: number;
}

export interface StaffingRow {
  intervalStart: number;
  /** Average number of agents in each state over the interval (sum of ms / interval ms). */
  byState: Record<string, number>;
  /** The same for paused agents, by pause reason (培训, 会议, 文书...); unlabelled pauses are ''. */
  byPauseReason: Record<string, number>;
}

/**
 * Staffing per interval = average number of agents in a state = (sum of ms agents spent in
 * that state within the interval) / interval length. Two agents available for the whole
 * 15 minutes give 2.0; one agent available for 5 of them gives 0.333...
 * Open spans must be closed by the caller (end = now): the core does not read the clock.
 */
export function staffingByInterval(
  spans: readonly StateSpan[],
  tz: string = DEFAULT_TZ,
  minutes: number = DEFAULT_INTERVAL_MINUTES,
): StaffingRow[] {
  const len = intervalLengthMs(minutes);
  const rows = new Map<number, { byState: Record<string, number>; byPauseReason: Record<string, number> }>();
  for (const span of spans) {
    for (const share of splitSpan(span.start, span.end, tz, minutes)) {
      let row = rows.get(share.intervalStart);
      if (!row) {
        row = { byState: {}, byPauseReason: {} };
        rows.set(share.intervalStart, row);
      }
      add(row.byState, span.state, share.ms);
      if (span.state === 'paused') add(row.byPauseReason, span.reason ?? '', share.ms);
    }
  }
  // Divide once at the end, so sums of many small shares do not accumulate rounding.
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, row]) => ({
      intervalStart: start,
      byState: perInterval(row.byState, len),
      byPauseReason: perInterval(row.byPauseReason, len),
    }));
}

function add(acc: Record<string, number>, key: string, ms: number): void {
  acc[key] = (acc[key] ?? 0) + ms;
}

function perInterval(acc: Record<string, number>, len: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(acc)) out[key] = v / len; // divide: a full interval is exactly 1
  return out;
}

/** Modulo that is non-negative for instants before 1970 too. */
function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
