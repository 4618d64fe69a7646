/**
 * One local day of raw rows → the day's rollup: call figures per 5-minute bucket and queue,
 * staffing per 5-minute bucket, per-agent figures, callers per region. Pure.
 *
 * Every figure comes from the metric definitions (src/core/metrics) run over the day's records;
 * this file only groups records and keeps the parts of each figure (numerator, denominator,
 * totals, counts) so that buckets add up to any interval length that is a multiple of 5 minutes
 * and days add up to any range. A ratio is re-formed from summed parts, never averaged.
 */
import {
  abandonRate,
  agentStats,
  averageHandleTime,
  intervalReport,
  longestWaitMs,
  type AgentOffer,
  type CallRecord,
  type Thresholds,
} from '../../core/metrics/definitions.js';
import {
  AGENT_COUNTERS,
  AGENT_TIME_COUNTERS,
  CALL_COUNTERS,
  shownCallCounts,
  zeroCounts,
  type AgentCounts,
  type AgentTimeCounts,
  type CallCounts,
  type StaffCounts,
} from '../../core/metrics/counters.js';
import { intervalStart, staffingByInterval } from '../../core/metrics/intervals.js';
import { tallyRegions, type AreaCodeTable, type CallerRegion, type HomeArea } from '../../core/metrics/regions.js';
import { clipSpans, toCallRecord, wrapUpByCall, type AgentSpan, type CallRow, type ReportCall } from './records.js';

/** Rollup grain. Report intervals must be whole multiples of it that divide an hour. */
export const BUCKET_MINUTES = 5;

export type OfferResult = AgentOffer['result'] | 'pending';

export interface OfferRow {
  agentId: string;
  callId: string;
  at: number;
  queue: string | null;
  /** 'pending': the phone may still be ringing (the call has not ended); not counted yet. */
  result: OfferResult;
}

/** Everything one local day [from, to) needs, read in one snapshot. */
export interface DayInput {
  day: string;
  tz: string;
  from: number;
  to: number;
  /** The clock when read: open spans and calls in progress end here. */
  now: number;
  /** Every call with a moment in [from, to) (started up to a day before, ended in it or later). */
  calls: CallRow[];
  /** State spans of every agent, from the state held at `from` to past `to` (not clipped). */
  spans: AgentSpan[];
  /** Offers rung in [from, to). */
  offers: OfferRow[];
}

/** One 5-minute bucket of one queue ('' for calls that never reached a queue): the call counters. */
export interface CallBucket extends CallCounts {
  bucket: number;
  queue: string;
}

/** Average agents per state and per pause reason over one bucket (logged-out time is not staffing). */
export interface StaffBucket extends StaffCounts {
  bucket: number;
}

export interface AgentDay extends AgentCounts, AgentTimeCounts {
  agentId: string;
  /** '*' = all queues, with state time; a queue name = that queue's offers and handle time only. */
  queue: string;
}

export interface RegionDay {
  queue: string;
  counts: Record<CallerRegion, number>;
}

const inDay = (t: number | undefined, input: DayInput): t is number => t !== undefined && t >= input.from && t < input.to;

function reportCalls(input: DayInput): ReportCall[] {
  const wrap = wrapUpByCall(input.spans);
  return input.calls.map((row) => toCallRecord(row, input.now, wrap.get(row.callId)));
}

function groupBy<T>(items: readonly T[], key: (t: T) => string | number | undefined): Map<string | number, T[]> {
  const out = new Map<string | number, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}

const emptyBucket = (bucket: number, queue: string): CallBucket => ({ bucket, queue, ...zeroCounts(CALL_COUNTERS) });

/** Answered calls that have ended (a call still talking has no handle time yet). */
const handled = (calls: readonly ReportCall[]) => calls.filter((c) => !c.inProgress && c.record.outcome === 'answered');

/** Call figures of the day per 5-minute bucket and queue, by the definitions' moments. */
export function buildCallBuckets(input: DayInput, thresholds: Thresholds): CallBucket[] {
  const { tz } = input;
  const out: CallBucket[] = [];
  const byQueue = groupBy(reportCalls(input), (c) => c.record.queue ?? '');
  for (const [queueKey, calls] of byQueue) {
    const queue = String(queueKey);
    const records = calls.map((c) => c.record);
    const buckets = new Map<number, CallBucket>();
    const at = (b: number) => {
      let e = buckets.get(b);
      if (!e) buckets.set(b, (e = emptyBucket(b, queue)));
      return e;
    };
    for (const row of intervalReport(records, { tz, minutes: BUCKET_MINUTES, thresholds })) {
      if (!inDay(row.intervalStart, input)) continue;
      Object.assign(at(row.intervalStart), shownCallCounts(row), {
        slWithin: row.serviceLevel.numerator,
        slDen: row.serviceLevel.denominator,
        asaMs: row.averageSpeedOfAnswer.totalMs,
        asaN: row.averageSpeedOfAnswer.count,
      });
    }
    // Abandon rate and longest wait: the calls offered (entered the queue) in the bucket.
    const offered = groupBy(records, (r: CallRecord) =>
      inDay(r.enteredQueueAt, input) ? intervalStart(r.enteredQueueAt, tz, BUCKET_MINUTES) : undefined,
    );
    for (const [b, group] of offered) {
      const e = at(Number(b));
      const ar = abandonRate(group, thresholds);
      e.arNum = ar.numerator;
      e.arDen = ar.denominator;
      e.longestWaitMs = longestWaitMs(group);
    }
    // Handle time: the calls answered in the bucket.
    const answered = groupBy(handled(calls), (c) =>
      inDay(c.record.answeredAt, input) ? intervalStart(c.record.answeredAt, tz, BUCKET_MINUTES) : undefined,
    );
    for (const [b, group] of answered) {
      const aht = averageHandleTime(group.map((c) => c.record));
      const e = at(Number(b));
      e.handleMs = aht.totalMs;
      e.handleN = aht.count;
    }
    out.push(...buckets.values());
  }
  return out.sort((a, b) => a.bucket - b.bucket || (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
}

/** Average agents per state and pause reason in each 5-minute bucket of the day. */
export function buildStaffBuckets(input: DayInput): StaffBucket[] {
  return staffBuckets(input.spans, input.from, input.to, input.tz);
}

/** The same for any spans over any [from, to) (a team's staffing over a range of days). */
export function staffBuckets(spans: readonly AgentSpan[], from: number, to: number, tz: string): StaffBucket[] {
  return staffingByInterval(clipSpans(spans, from, to), tz, BUCKET_MINUTES)
    .filter((r) => r.intervalStart >= from && r.intervalStart < to)
    .map((r) => ({ bucket: r.intervalStart, byState: r.byState, byReason: r.byPauseReason }));
}

/** Per agent: offers (all queues, and per queue), handle time, state and pause time in the day. */
export function buildAgentDays(input: DayInput): AgentDay[] {
  const window = { from: input.from, to: input.to };
  const offers = input.offers.filter((o) => o.result !== 'pending') as Array<OfferRow & { result: AgentOffer['result'] }>;
  const rows = new Map<string, AgentDay>();
  const row = (agentId: string, queue: string) => {
    const k = `${agentId}\u0000${queue}`;
    let r = rows.get(k);
    if (!r) {
      r = { agentId, queue, ...zeroCounts(AGENT_COUNTERS), ...zeroCounts(AGENT_TIME_COUNTERS) };
      rows.set(k, r);
    }
    return r;
  };
  const toOffer = (o: OfferRow & { result: AgentOffer['result'] }): AgentOffer => ({
    agentId: o.agentId,
    callId: o.callId,
    at: o.at,
    result: o.result,
  });
  for (const s of agentStats(offers.map(toOffer), clipSpans(input.spans, input.from, input.to), window)) {
    Object.assign(row(s.agentId, '*'), {
      offered: s.offered,
      answered: s.answered,
      noAnswer: s.noAnswer,
      cancelled: s.cancelled,
      msByState: s.msByState,
      msByReason: s.msByPauseReason,
    });
  }
  for (const [queue, group] of groupBy(offers, (o) => o.queue ?? undefined)) {
    for (const s of agentStats(group.map(toOffer), [], window)) {
      Object.assign(row(s.agentId, String(queue)), {
        offered: s.offered,
        answered: s.answered,
        noAnswer: s.noAnswer,
        cancelled: s.cancelled,
      });
    }
  }
  const answered = handled(reportCalls(input)).filter((c) => c.record.agentId !== undefined && inDay(c.record.answeredAt, input));
  for (const [agentId, group] of groupBy(answered, (c) => c.record.agentId)) {
    const all = averageHandleTime(group.map((c) => c.record));
    Object.assign(row(String(agentId), '*'), { handleMs: all.totalMs, handleN: all.count });
    for (const [queue, qGroup] of groupBy(group, (c) => c.record.queue)) {
      const q = averageHandleTime(qGroup.map((c) => c.record));
      Object.assign(row(String(agentId), String(queue)), { handleMs: q.totalMs, handleN: q.count });
    }
  }
  return [...rows.values()].sort((a, b) => (a.agentId + a.queue < b.agentId + b.queue ? -1 : 1));
}

/** Callers per region for the calls that started in the day, per queue ('' = never queued). */
export function buildRegionDays(input: DayInput, table: AreaCodeTable, home: HomeArea): RegionDay[] {
  const started = input.calls.filter((c) => inDay(c.startedAt, input));
  return [...groupBy(started, (c) => c.queue ?? '')].map(([queue, calls]) => ({
    queue: String(queue),
    counts: tallyRegions(
      calls.map((c) => c.caller),
      table,
      home,
    ),
  }));
}
