/**
 * When a waiting call stops waiting for an agent, and what happens to it then: the queue's time
 * rules (maxWaitS, onExpiry), and turning callers away at once when the queue is full or nobody
 * who could take its calls is logged in. The dispatcher gathers the facts and carries out the answer.
 */
import { toMs, waitMs } from './eligibility.js';
import type { ExpiryAction, OnExpiry, QueueRules, RoutingRules, WaitingCall } from './model.js';

/**
 * What to do with a call that has waited too long, or undefined if it may keep waiting.
 * maxWaitS is the hard cap and wins over onExpiry: e.g. a callback offered at 120 s that the caller
 * declined does not keep them queued past maxWaitS. The caller of this acts once per answer.
 */
export function expiry(call: WaitingCall, rules: RoutingRules, now: number): ExpiryAction | undefined {
  const q = rules.queues.get(call.queue);
  if (!q) return undefined;
  const wait = waitMs(call, now);
  if (q.maxWaitS !== undefined && wait >= toMs(q.maxWaitS)) return { action: 'max_wait' };
  const x = q.onExpiry;
  if (!x || wait < toMs(x.afterS)) return undefined;
  return expiryAction(x);
}

/** What a queue's onExpiry rule does, without its timing. */
export function expiryAction(x: OnExpiry): ExpiryAction {
  switch (x.action) {
    case 'overflow':
      return { action: 'overflow', toQueue: x.toQueue };
    case 'message_hangup':
      return { action: 'message_hangup', prompt: x.prompt };
    default:
      return { action: x.action };
  }
}

/** The next instant (ms) at which expiry() will give a new answer, for scheduling a timer. */
export function nextExpiryAt(call: WaitingCall, rules: RoutingRules, now: number): number | undefined {
  const q = rules.queues.get(call.queue);
  if (!q) return undefined;
  const wait = waitMs(call, now);
  let next: number | undefined;
  for (const s of [q.onExpiry?.afterS, q.maxWaitS]) {
    if (s === undefined) continue;
    const t = toMs(s);
    if (t > wait && (next === undefined || t < next)) next = t;
  }
  return next === undefined ? undefined : call.enqueuedAt + next;
}

/**
 * A caller turned away (queue full, or unstaffed) gets the queue's rule at once, whatever its
 * afterS: waiting longer would not help. A queue without a rule stops queueing them.
 */
export function turnAwayAction(q: QueueRules): ExpiryAction {
  return q.onExpiry ? expiryAction(q.onExpiry) : { action: 'max_wait' };
}

export interface WaitingFacts {
  call: WaitingCall;
  /**
   * A kept place (a callback) holds a position for a taxpayer who is not on the line; it never
   * expires, but it does take a place in the queue (position counts it).
   */
  keptPlace: boolean;
  /** 1-based position among the queue's waiting entries this instance routes, in queue order. */
  position: number;
  /**
   * Whether nobody who could ever take the queue's calls is logged in. Undefined until asked:
   * finding out may cost a read of every agent, so the verdict asks for it only when it matters.
   */
  unstaffed?: boolean;
}

/** What the dispatcher does with one waiting entry this round. */
export type WaitingVerdict =
  | { kind: 'route' }
  | { kind: 'expire'; action: ExpiryAction }
  /** Only staffing can still turn this call away: find out, then ask again with `unstaffed` set. */
  | { kind: 'need_staffing' };

const ROUTE: WaitingVerdict = { kind: 'route' };

/**
 * Keep routing a waiting entry, or end its wait: its time rules first, then a full queue, then
 * an unstaffed one. A call of an unknown queue (its rules withdrawn) is left to route.
 */
export function waitingVerdict(f: WaitingFacts, rules: RoutingRules, now: number): WaitingVerdict {
  if (f.keptPlace) return ROUTE;
  const timed = expiry(f.call, rules, now);
  if (timed) return { kind: 'expire', action: timed };
  const q = rules.queues.get(f.call.queue);
  if (!q) return ROUTE;
  const full = q.maxQueued !== undefined && f.position > q.maxQueued;
  if (!full) {
    if (f.unstaffed === undefined) return { kind: 'need_staffing' };
    if (!f.unstaffed) return ROUTE;
  }
  return { kind: 'expire', action: turnAwayAction(q) };
}
