/**
 * Stored rows → the records the metric definitions take (src/core/metrics). Pure.
 * This is the only place that decides how a `calls` row reads as a CallRecord.
 */
import type { AbandonedAt } from '../../core/events.js';
import type { CallRecordOutcome, CallRecord } from '../../core/metrics/definitions.js';
import type { StateSpan } from '../../core/metrics/intervals.js';

/** One `calls` row, times as epoch ms. */
export interface CallRow {
  callId: string;
  caller: string;
  queue: string | null;
  startedAt: number;
  enteredQueueAt: number | null;
  endedAt: number | null;
  outcome: string | null;
  abandonedAt: string | null;
  waitMs: number | null;
  talkMs: number | null;
  agentId: string | null;
  /** For calls still in progress: when an agent answered (call.agent_answered), and the wait it recorded. */
  liveAnswer?: { at: number; waitMs: number };
}

/**
 * How stored outcomes read in the definitions' vocabulary (metrics version 1):
 * answered, abandoned and voicemail map to themselves; a caller who asked to be called back
 * ('callback_requested') is a callback: in neither the service level nor the abandons, still offered.
 * Calls that left without an agent and without the caller giving up — 'rejected' by a queue
 * rule, 'transferred' out, 'ended_in_ivr' — read as 'overflow': in neither the service level
 * nor the abandons (they stay "offered" if they had queued).
 */
const OUTCOMES: Record<string, CallRecordOutcome> = {
  answered: 'answered',
  abandoned: 'abandoned',
  voicemail: 'voicemail',
  callback: 'callback',
  callback_requested: 'callback',
  rejected: 'overflow',
  transferred: 'overflow',
  ended_in_ivr: 'overflow',
};

export interface ReportCall {
  record: CallRecord;
  /** Still in progress when read: its moments so far count, its handle time does not. */
  inProgress: boolean;
}

/**
 * A calls row as a CallRecord. Answered: the answer moment is end − talk (talk is measured from
 * the answer), wait is queue entry → answer (ring time included, as the definitions say).
 * A call still in progress reads as not yet settled, ending `now` (so its wait so far shows as a
 * longest wait), unless an agent already answered it.
 */
export function toCallRecord(r: CallRow, now: number, wrapUpMs?: number): ReportCall {
  const base: CallRecord = {
    callId: r.callId,
    endedAt: r.endedAt ?? now,
    outcome: 'overflow',
    startedAt: r.startedAt,
  };
  if (r.queue !== null) base.queue = r.queue;
  if (r.enteredQueueAt !== null) base.enteredQueueAt = r.enteredQueueAt;
  if (r.agentId !== null) base.agentId = r.agentId;
  if (r.endedAt === null) {
    if (r.liveAnswer) {
      base.outcome = 'answered';
      base.answeredAt = r.liveAnswer.at;
      base.waitMs = r.liveAnswer.waitMs;
    }
    return { record: base, inProgress: true };
  }
  base.outcome = OUTCOMES[r.outcome ?? ''] ?? 'overflow';
  if (r.waitMs !== null) base.waitMs = r.waitMs;
  if (base.outcome === 'answered') {
    base.answeredAt = r.talkMs !== null ? r.endedAt - r.talkMs : r.endedAt;
    if (r.talkMs !== null) base.talkMs = r.talkMs;
    if (wrapUpMs !== undefined) base.wrapUpMs = wrapUpMs;
  }
  if (base.outcome === 'abandoned' && r.abandonedAt !== null) base.abandonedAt = r.abandonedAt as AbandonedAt;
  return { record: base, inProgress: false };
}

/** One agent.state_changed event as the reports read it. */
export interface StateEventRow {
  agentId: string;
  at: number;
  to: string;
  pauseReason: string | null;
  callId: string | null;
}

export interface AgentSpan extends StateSpan {
  callId?: string;
}

/**
 * The reservation of an agent for a call is made in Redis and recorded as no state change;
 * only the ring (call.agent_offered) is. Without it, ringing time would read as available and
 * `reserved` would always be 0. A ring starts a reserved span, which the agent's next change
 * (answered, missed, caller hung up) ends. `states` as loadStateEvents gives them (each agent's
 * list headed by its last change before `from`); rings from a little before `from` on. Returns
 * each agent's merged list, headed again by its last entry before `from`. A ring and a change
 * at the same instant: the ring first.
 */
export function withRings(states: readonly StateEventRow[], rings: readonly StateEventRow[], from: number): StateEventRow[] {
  if (rings.length === 0) return [...states];
  const byAgent = new Map<string, Array<{ e: StateEventRow; ring: boolean }>>();
  for (const [list, ring] of [
    [rings, true],
    [states, false],
  ] as const) {
    for (const e of list) {
      let l = byAgent.get(e.agentId);
      if (!l) byAgent.set(e.agentId, (l = []));
      l.push({ e, ring });
    }
  }
  const out: StateEventRow[] = [];
  for (const list of byAgent.values()) {
    list.sort((a, b) => a.e.at - b.e.at || Number(b.ring) - Number(a.ring));
    const firstInRange = list.findIndex((x) => x.e.at >= from);
    const start = firstInRange === -1 ? list.length - 1 : Math.max(0, firstInRange - 1);
    for (const x of list.slice(start)) out.push(x.e);
  }
  return out;
}

/**
 * Time in each state: an event's state lasts until the agent's next event; the last one lasts
 * until `until` (now, or the end of what was read). Rows must be ordered by agent, then time.
 */
export function spansFromEvents(rows: readonly StateEventRow[], until: number): AgentSpan[] {
  const out: AgentSpan[] = [];
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i]!;
    const next = rows[i + 1];
    const end = next && next.agentId === e.agentId ? next.at : Math.max(e.at, until);
    const span: AgentSpan = { agentId: e.agentId, state: e.to, start: e.at, end };
    if (e.to === 'paused') span.reason = e.pauseReason ?? '';
    if (e.callId) span.callId = e.callId;
    out.push(span);
  }
  return out;
}

/** The part of each span inside [from, to); empty parts and logged-out time are dropped. */
export function clipSpans(spans: readonly AgentSpan[], from: number, to: number): AgentSpan[] {
  const out: AgentSpan[] = [];
  for (const s of spans) {
    if (s.state === 'logged_out') continue;
    const start = Math.max(s.start, from);
    const end = Math.min(s.end, to);
    if (end > start) out.push({ ...s, start, end });
  }
  return out;
}

/** Wrap-up (after-call work) per call: the agent's wrap_up time that carries the call's id. */
export function wrapUpByCall(spans: readonly AgentSpan[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of spans) {
    if (s.state !== 'wrap_up' || !s.callId) continue;
    out.set(s.callId, (out.get(s.callId) ?? 0) + (s.end - s.start));
  }
  return out;
}
