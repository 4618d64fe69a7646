/**
 * Metric definitions, version 1 (docs/metrics.md is the written form; keep them in step).
 * One set of functions over plain records serves the live wallboard and the historical
 * report, so the two can never disagree about what "service level" means.
 * Times are epoch ms, durations ms. A ratio with nothing to divide by is null, not 0 or 100 %.
 */
import type { AbandonedAt } from '../events.js';
import { CALL_COUNTERS, pickCounts, SHOWN_CALL_COUNTERS, zeroCounts, type ShownCallCounts } from './counters.js';
import { DEFAULT_INTERVAL_MINUTES, DEFAULT_TZ, intervalStart, type StateSpan } from './intervals.js';

/** Bump when any definition below changes meaning; stored with every persisted figure. */
export const METRICS_VERSION = 1;

/** A call's outcome as the metrics count it (features/reports/records.ts maps call.ended's to it). */
export type CallRecordOutcome = 'answered' | 'abandoned' | 'callback' | 'voicemail' | 'overflow';

export interface CallRecord {
  callId: string;
  queue?: string;
  /** Entered the IVR (call.started). Only the IVR-visit count needs it. */
  startedAt?: number;
  /** Entered the queue (转人工): the moment a call is "offered". */
  enteredQueueAt?: number;
  /** An agent answered. */
  answeredAt?: number;
  endedAt: number;
  outcome: CallRecordOutcome;
  /** Where an abandoned caller hung up; when missing: 'queue' if it had queued, else 'ivr'. */
  abandonedAt?: AbandonedAt;
  /** Queue entry until answered or until the call left the queue; derived when missing. */
  waitMs?: number;
  /** Connected to the agent, excluding hold. Derived as ended − answered − hold when missing. */
  talkMs?: number;
  holdMs?: number;
  wrapUpMs?: number;
  agentId?: string;
}

export interface Thresholds {
  /** Service-level target T in seconds: answered with wait <= T counts as within. */
  targetS: number;
  /** Abandons with wait < this many seconds are "short" and left out of SL and abandon rate. */
  shortAbandonS: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = { targetS: 20, shortAbandonS: 5 };

export interface Ratio {
  numerator: number;
  denominator: number;
  value: number | null;
}

export interface Mean {
  totalMs: number;
  count: number;
  valueMs: number | null;
}

const ratio = (numerator: number, denominator: number): Ratio => ({
  numerator,
  denominator,
  value: denominator > 0 ? numerator / denominator : null,
});

const mean = (values: readonly number[]): Mean => {
  const totalMs = values.reduce((a, b) => a + b, 0);
  return { totalMs, count: values.length, valueMs: values.length > 0 ? totalMs / values.length : null };
};

// ---- classification of one call ------------------------------------------------------

/** Offered = entered the queue. IVR-only calls were never offered to an agent. */
export function isOffered(r: CallRecord): boolean {
  return r.enteredQueueAt !== undefined;
}

export function isAnswered(r: CallRecord): boolean {
  return r.outcome === 'answered';
}

export function abandonPlace(r: CallRecord): AbandonedAt | undefined {
  if (r.outcome !== 'abandoned') return undefined;
  return r.abandonedAt ?? (r.enteredQueueAt !== undefined ? 'queue' : 'ivr');
}

/** Caller hung up while waiting in the queue or while an agent's phone rang. */
export function isQueueAbandon(r: CallRecord): boolean {
  const at = abandonPlace(r);
  return at === 'queue' || at === 'ringing';
}

/**
 * Queue entry until answered (ring time at the agent's phone included: the caller is still
 * waiting), or until the call left the queue (abandon, callback, voicemail, overflow).
 */
export function waitOf(r: CallRecord): number | undefined {
  if (r.waitMs !== undefined) return r.waitMs;
  if (r.enteredQueueAt === undefined) return undefined;
  if (r.outcome === 'answered') return r.answeredAt === undefined ? undefined : r.answeredAt - r.enteredQueueAt;
  return r.endedAt - r.enteredQueueAt;
}

/** An abandon whose wait is unknown is not short: when in doubt it counts against us. */
export function isShortAbandon(r: CallRecord, t: Thresholds = DEFAULT_THRESHOLDS): boolean {
  if (!isQueueAbandon(r)) return false;
  const w = waitOf(r);
  return w !== undefined && w < t.shortAbandonS * 1000;
}

export function answeredWithin(r: CallRecord, t: Thresholds = DEFAULT_THRESHOLDS): boolean {
  const w = waitOf(r);
  return isAnswered(r) && w !== undefined && w <= t.targetS * 1000;
}

// ---- queue metrics -------------------------------------------------------------------

/**
 * Service level = answered within T / (answered + abandoned in queue or ringing, short
 * abandons excluded). Callbacks, voicemail and overflow are in neither: the caller was
 * served another way or by another queue. Answered calls of unknown wait count as late.
 */
export function serviceLevel(calls: readonly CallRecord[], t: Thresholds = DEFAULT_THRESHOLDS): Ratio {
  let within = 0;
  let den = 0;
  for (const r of calls) {
    if (isAnswered(r)) {
      den += 1;
      if (answeredWithin(r, t)) within += 1;
    } else if (isQueueAbandon(r) && !isShortAbandon(r, t)) {
      den += 1;
    }
  }
  return ratio(within, den);
}

/**
 * Abandon rate = abandoned in queue or ringing / offered, short abandons removed from both.
 * A requested callback is not an abandon (it stays in the denominator only).
 */
export function abandonRate(calls: readonly CallRecord[], t: Thresholds = DEFAULT_THRESHOLDS): Ratio {
  let num = 0;
  let den = 0;
  for (const r of calls) {
    const short = isShortAbandon(r, t);
    if (isOffered(r) && !short) den += 1;
    if (isQueueAbandon(r) && !short) num += 1;
  }
  return ratio(num, den);
}

/** ASA: mean of queue entry → agent answered over answered calls, ring time included. */
export function averageSpeedOfAnswer(calls: readonly CallRecord[]): Mean {
  const waits: number[] = [];
  for (const r of calls) {
    const w = waitOf(r);
    if (isAnswered(r) && w !== undefined) waits.push(w);
  }
  return mean(waits);
}

/** Longest time any finished call spent in the queue, whatever its outcome. */
export function longestWaitMs(calls: readonly CallRecord[]): number | null {
  let max: number | null = null;
  for (const r of calls) {
    const w = waitOf(r);
    if (w !== undefined && (max === null || w > max)) max = w;
  }
  return max;
}

/** Live form: the caller waiting longest right now. `now` comes from the caller's clock. */
export function currentLongestWaitMs(enteredQueueAts: readonly number[], now: number): number | null {
  let max: number | null = null;
  for (const at of enteredQueueAts) if (max === null || now - at > max) max = now - at;
  return max;
}

export function talkOf(r: CallRecord): number {
  if (r.talkMs !== undefined) return r.talkMs;
  if (r.answeredAt === undefined) return 0;
  return Math.max(0, r.endedAt - r.answeredAt - (r.holdMs ?? 0));
}

/** Handle time of one call = talk + hold + wrap-up (after-call work). */
export function handleOf(r: CallRecord): number {
  return talkOf(r) + (r.holdMs ?? 0) + (r.wrapUpMs ?? 0);
}

/** AHT: mean handle time over answered calls. */
export function averageHandleTime(calls: readonly CallRecord[]): Mean {
  return mean(calls.filter(isAnswered).map(handleOf));
}

// ---- agent metrics -------------------------------------------------------------------

/** Agent states whose time is handle time (talk and hold are both on_call). */
export const HANDLE_STATES: readonly string[] = ['on_call', 'wrap_up'];
/** Idle and ready. 'reserved' (phone ringing) is neither handle nor idle; pauses are neither. */
export const IDLE_STATES: readonly string[] = ['available'];

/** Occupancy = handle time / (handle time + available idle time), ringing excluded. */
export function occupancy(msByState: Readonly<Record<string, number>>): Ratio {
  const sum = (states: readonly string[]) => states.reduce((a, s) => a + (msByState[s] ?? 0), 0);
  const handle = sum(HANDLE_STATES);
  return ratio(handle, handle + sum(IDLE_STATES));
}

/** One ring of one agent's phone for one call. 'cancelled' = the caller hung up first. */
export interface AgentOffer {
  agentId: string;
  callId: string;
  at: number;
  result: 'answered' | 'no_answer' | 'cancelled';
}

export interface AgentStats {
  agentId: string;
  offered: number;
  answered: number;
  /** Rang and was not picked up (timeout, busy, unreachable); caller abandons not included. */
  noAnswer: number;
  cancelled: number;
  msByState: Record<string, number>;
  msByPauseReason: Record<string, number>;
  occupancy: Ratio;
}

/**
 * Per-agent figures over [window.from, window.to) (everything when no window): offers are
 * counted at the moment the phone rang, state time is clipped to the window.
 */
export function agentStats(
  offers: readonly AgentOffer[],
  spans: readonly StateSpan[],
  window?: { from: number; to: number },
): AgentStats[] {
  const byAgent = new Map<string, AgentStats>();
  const get = (agentId: string): AgentStats => {
    let s = byAgent.get(agentId);
    if (!s) {
      s = { agentId, offered: 0, answered: 0, noAnswer: 0, cancelled: 0, msByState: {}, msByPauseReason: {}, occupancy: ratio(0, 0) };
      byAgent.set(agentId, s);
    }
    return s;
  };
  for (const o of offers) {
    if (window && (o.at < window.from || o.at >= window.to)) continue;
    const s = get(o.agentId);
    s.offered += 1;
    if (o.result === 'answered') s.answered += 1;
    else if (o.result === 'no_answer') s.noAnswer += 1;
    else s.cancelled += 1;
  }
  for (const span of spans) {
    const start = window ? Math.max(span.start, window.from) : span.start;
    const end = window ? Math.min(span.end, window.to) : span.end;
    if (end <= start) continue;
    const s = get(span.agentId);
    s.msByState[span.state] = (s.msByState[span.state] ?? 0) + (end - start);
    if (span.state === 'paused') {
      const reason = span.reason ?? '';
      s.msByPauseReason[reason] = (s.msByPauseReason[reason] ?? 0) + (end - start);
    }
  }
  const out = [...byAgent.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  for (const s of out) s.occupancy = occupancy(s.msByState);
  return out;
}

// ---- interval report -----------------------------------------------------------------

/**
 * The countable moments. Each count goes to the interval that contains its moment:
 * IVR visit = entered the IVR; offered = entered the queue; answered = agent answered;
 * abandoned = caller hung up (in queue or while ringing).
 */
export type Moment = 'ivr_visit' | 'offered' | 'answered' | 'abandoned';

export function momentOf(r: CallRecord, m: Moment): number | undefined {
  switch (m) {
    case 'ivr_visit':
      return r.startedAt;
    case 'offered':
      return r.enteredQueueAt;
    case 'answered':
      return isAnswered(r) ? r.answeredAt : undefined;
    case 'abandoned':
      return isQueueAbandon(r) ? r.endedAt : undefined;
  }
}

/**
 * When a call's service-level fate was decided (answered, or abandoned). Interval SL and ASA
 * use it, so an interval's SL is made of that interval's answered and abandoned columns and a
 * closed interval never changes afterwards.
 */
export function settledAt(r: CallRecord): number | undefined {
  return momentOf(r, 'answered') ?? momentOf(r, 'abandoned');
}

/**
 * The counts are the report's shown call counters (counters.ts): IVR visits, offered, answered,
 * abandoned (in queue or ringing, short ones included) and short abandons.
 */
export interface IntervalRow extends ShownCallCounts {
  intervalStart: number;
  serviceLevel: Ratio;
  averageSpeedOfAnswer: Mean;
}

export interface ReportOptions {
  tz?: string;
  minutes?: number;
  thresholds?: Thresholds;
}

/** The seed's 来电量与人力安排 call columns, one row per interval with any activity. */
export function intervalReport(calls: readonly CallRecord[], opts: ReportOptions = {}): IntervalRow[] {
  const tz = opts.tz ?? DEFAULT_TZ;
  const minutes = opts.minutes ?? DEFAULT_INTERVAL_MINUTES;
  const t = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const rows = new Map<number, { row: IntervalRow; settled: CallRecord[] }>();
  const at = (ts: number) => {
    const start = intervalStart(ts, tz, minutes);
    let entry = rows.get(start);
    if (!entry) {
      entry = {
        row: {
          intervalStart: start,
          ...pickCounts(SHOWN_CALL_COUNTERS, zeroCounts(CALL_COUNTERS)),
          serviceLevel: ratio(0, 0),
          averageSpeedOfAnswer: mean([]),
        },
        settled: [],
      };
      rows.set(start, entry);
    }
    return entry;
  };
  for (const r of calls) {
    const ivr = momentOf(r, 'ivr_visit');
    if (ivr !== undefined) at(ivr).row.ivrVisits += 1;
    const offered = momentOf(r, 'offered');
    if (offered !== undefined) at(offered).row.offered += 1;
    const answered = momentOf(r, 'answered');
    if (answered !== undefined) at(answered).row.answered += 1;
    const abandoned = momentOf(r, 'abandoned');
    if (abandoned !== undefined) {
      const e = at(abandoned);
      e.row.abandoned += 1;
      if (isShortAbandon(r, t)) e.row.shortAbandoned += 1;
    }
    const settled = settledAt(r);
    if (settled !== undefined) at(settled).settled.push(r);
  }
  return [...rows.values()]
    .map(({ row, settled }) => ({
      ...row,
      serviceLevel: serviceLevel(settled, t),
      averageSpeedOfAnswer: averageSpeedOfAnswer(settled),
    }))
    .sort((a, b) => a.intervalStart - b.intervalStart);
}
