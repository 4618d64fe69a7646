/**
 * One ACD round: which waiting calls go to which offerable agents now, plus the timing questions
 * around it (which step applies, when the next widening is due; expiry is in expiry.ts).
 *
 * Greedy in call order (priority desc, then longest waiting, then callId): each call takes the best
 * agent still free by its queue's strategy. Greedy is what callers expect of a queue, and it gives
 * two guarantees the property tests check: no eligible agent stays idle while a call it could take
 * waits, and a call is never passed over in favour of a later one for an agent both could take.
 *
 * Speed: a round must handle ~10k agents and ~5k calls in a few ms, so instead of testing every
 * agent against every call we build, once per round and only for queues/skills that calls need:
 *   - per queue, its offerable agents already sorted by the queue's strategy;
 *   - per (queue, skill), the agents having it; per (queue, skill, minimum), a filtered list,
 *     built the first time a call asks for it.
 * A call scans the shortest list among its required skills and checks the rest. Calls with the same
 * (queue, requirement) share a cursor: agents behind it are taken or unqualified and stay so for the
 * rest of the round, so a crowd of identical calls costs one pass, not one pass each.
 * isEligible() in eligibility.ts is the definition; this file must agree with it exactly.
 */
import { offerable } from '../agents/state.js';
import {
  preferredHolder,
  proficiency,
  qualifies,
  requirementFrom,
  requirementOf,
  stepIndexAt,
  toMs,
  waitMs,
  type Requirement,
} from './eligibility.js';
import type { Agent, Assignment, QueueRules, RoutingRules, QueueStep, WaitingCall } from './model.js';

export interface ActiveStep {
  index: number;
  step: QueueStep;
  /** The step's requirement resolved for this call ('inherit' replaced by the call's skills). */
  required: Requirement;
  /** When this step began for this call (ms). */
  startedAt: number;
}

export function activeStep(call: WaitingCall, rules: RoutingRules, now: number): ActiveStep | undefined {
  const q = rules.queues.get(call.queue);
  if (!q) return undefined;
  const index = stepIndexAt(q, waitMs(call, now));
  const step = q.steps[index]!;
  return { index, step, required: requirementOf(step.skills, call), startedAt: call.enqueuedAt + toMs(step.afterS) };
}

/**
 * The next instant (ms) at which more agents may become eligible for this call: the next step, or
 * the end of the preferred-agent window. Schedule one re-check there instead of polling.
 * Takes `now` because "next" depends on how long the call has already waited.
 */
export function nextWideningAt(call: WaitingCall, rules: RoutingRules, now: number): number | undefined {
  const q = rules.queues.get(call.queue);
  if (!q) return undefined;
  const wait = waitMs(call, now);
  let next: number | undefined;
  for (const s of q.steps) {
    const t = toMs(s.afterS);
    if (t > wait) {
      next = t;
      break;
    }
  }
  if (call.preferredAgentId !== undefined) {
    const t = toMs(q.preferredAgentS);
    if (t > wait && (next === undefined || t < next)) next = t;
  }
  return next === undefined ? undefined : call.enqueuedAt + next;
}

// ---- the round ----

/** Agent orders that do not depend on the call; most_skilled uses idle order as its tie-break. */
type Order = 'idle' | 'calls' | 'rr';

interface Compiled {
  rules: QueueRules;
  stepMs: number[];
  /** null = 'inherit', resolved per call. */
  stepReq: Array<Requirement | null>;
  stepKey: string[];
}

/** Pool indexes in preference order, plus the proficiency that put them there (skill lists only). */
interface List {
  idx: number[];
  prof: number[];
  /** Everything before head is taken; saves rescanning a growing taken prefix. */
  head: number;
}

interface SkillList {
  idx: number[];
  prof: number[];
  max: number;
}

/** Shared by all calls of one queue with the same requirement in this round. */
interface Sig {
  list: List;
  rest: Requirement;
  /** First qualifying free agent in list order is the best one (all but multi-skill most_skilled). */
  ordered: boolean;
  /** Most the `rest` skills can add to a most_skilled score; lets the scan stop early. */
  restBound: number;
  /** Agents before pos are taken or unqualified for this requirement. */
  pos: number;
  exhausted: boolean;
}

interface QueueIndex {
  c: Compiled;
  order: Order;
  mostSkilled: boolean;
  all: List;
  /** One list per skill some call in this queue needs, filled by buildLists. */
  bySkill: Map<string, SkillList>;
  derived: Map<string, Map<number, List>>;
  sigs: Map<string, Sig>;
  /** Last pool index pushed, to ignore a queue listed twice by one agent. */
  last: number;
}

interface Pending {
  call: WaitingCall;
  qi: QueueIndex;
  wait: number;
  step: number;
  req: Requirement;
  key: string;
}

export function assign(calls: readonly WaitingCall[], agents: readonly Agent[], rules: RoutingRules, now: number): Assignment[] {
  const queues = new Map<string, QueueIndex>();
  const pending: Pending[] = [];
  for (const call of calls) {
    const r = rules.queues.get(call.queue);
    if (!r) continue;
    let qi = queues.get(call.queue);
    if (!qi) {
      qi = newQueueIndex(r);
      queues.set(call.queue, qi);
    }
    const wait = waitMs(call, now);
    const step = stepAt(qi.c, wait);
    let req = qi.c.stepReq[step]!;
    let key = qi.c.stepKey[step]!;
    if (req === null) {
      req = requirementFrom(call.skills);
      key = keyOf(req);
    }
    for (const [s] of req) if (!qi.bySkill.has(s)) qi.bySkill.set(s, { idx: [], prof: [], max: 0 });
    pending.push({ call, qi, wait, step, req, key });
  }
  if (pending.length === 0) return [];
  pending.sort(callOrder);

  // Offerable agents serving a queue that has calls; a duplicated agentId keeps its first such
  // record so it is used once. Everyone else is out of this round before any sorting.
  const pool: Agent[] = [];
  const poolIndex = new Map<string, number>();
  for (const a of agents) {
    if (!offerable(a) || !servesAny(a, queues) || poolIndex.has(a.agentId)) continue;
    poolIndex.set(a.agentId, pool.length);
    pool.push(a);
  }
  buildLists(pool, queues);

  let byId: Map<string, Agent> | undefined;
  const findAgent = (id: string): Agent | undefined => {
    if (!byId) {
      byId = new Map();
      for (const a of agents) if (!byId.has(a.agentId)) byId.set(a.agentId, a);
    }
    return byId.get(id);
  };

  const used = new Uint8Array(pool.length);
  const seen = new Set<string>();
  const out: Assignment[] = [];
  for (const p of pending) {
    if (seen.has(p.call.callId)) continue;
    seen.add(p.call.callId);
    let chosen = -1;
    const holder = p.call.preferredAgentId === undefined ? undefined : preferredHolder(p.call, p.qi.c.rules, p.wait, p.req, findAgent);
    if (holder) {
      const i = poolIndex.get(holder.agentId);
      if (i !== undefined && pool[i] === holder && !used[i]) chosen = i;
    } else {
      const sg = sigFor(p.qi, p);
      if (!sg.exhausted) chosen = sg.ordered ? scanOrdered(sg, p.call, pool, used) : scanMostSkilled(sg, p.call, pool, used);
    }
    if (chosen >= 0) {
      used[chosen] = 1;
      out.push({ callId: p.call.callId, agentId: pool[chosen]!.agentId, step: p.step });
    }
  }
  return out;
}

function newQueueIndex(r: QueueRules): QueueIndex {
  const c: Compiled = { rules: r, stepMs: [], stepReq: [], stepKey: [] };
  for (const s of r.steps) {
    c.stepMs.push(toMs(s.afterS));
    const req = s.skills === 'inherit' ? null : s.skills === 'any' ? [] : requirementFrom(s.skills);
    c.stepReq.push(req);
    c.stepKey.push(req === null ? '' : keyOf(req));
  }
  return {
    c,
    order: r.strategy === 'fewest_calls' ? 'calls' : r.strategy === 'round_robin' ? 'rr' : 'idle',
    mostSkilled: r.strategy === 'most_skilled',
    all: { idx: [], prof: [], head: 0 },
    bySkill: new Map(),
    derived: new Map(),
    sigs: new Map(),
    last: -1,
  };
}

function stepAt(c: Compiled, wait: number): number {
  for (let i = c.stepMs.length - 1; i > 0; i--) if (wait >= c.stepMs[i]!) return i;
  return 0;
}

/** Canonical text of a requirement; JSON so odd skill names cannot make two requirements collide. */
function keyOf(req: Requirement): string {
  if (req.length === 0) return '';
  return JSON.stringify([...req].sort((a, b) => cmpStr(a[0], b[0])));
}

function callOrder(a: Pending, b: Pending): number {
  return cmpNum(b.call.priority, a.call.priority) || cmpNum(a.call.enqueuedAt, b.call.enqueuedAt) || cmpStr(a.call.callId, b.call.callId);
}

function servesAny(a: Agent, queues: Map<string, QueueIndex>): boolean {
  for (const q of a.queues) if (queues.has(q)) return true;
  return false;
}

/** Fill each queue's agent list (and needed skill lists) by walking the pool in that queue's order. */
function buildLists(pool: readonly Agent[], queues: Map<string, QueueIndex>): void {
  const orders = new Set<Order>();
  for (const qi of queues.values()) orders.add(qi.order);
  for (const order of orders) {
    // Only agents serving some queue that wants this order need sorting by it.
    const members: number[] = [];
    for (let i = 0; i < pool.length; i++) {
      for (const q of pool[i]!.queues) {
        if (queues.get(q)?.order === order) {
          members.push(i);
          break;
        }
      }
    }
    for (const a of sortedPool(pool, members, order)) {
      const ag = pool[a]!;
      for (const qn of ag.queues) {
        const qi = queues.get(qn);
        if (qi === undefined || qi.order !== order || qi.last === a) continue;
        qi.last = a;
        qi.all.idx.push(a);
        if (qi.bySkill.size === 0) continue;
        for (const s in ag.skills) {
          const l = qi.bySkill.get(s);
          if (l === undefined) continue;
          const v = proficiency(ag.skills, s);
          if (v === 0) continue;
          l.idx.push(a);
          l.prof.push(v);
          if (v > l.max) l.max = v;
        }
      }
    }
  }
}

/** The given pool indexes sorted by an order; keys are copied into typed arrays to keep the comparator cheap. */
function sortedPool(pool: readonly Agent[], members: number[], order: Order): number[] {
  const n = pool.length;
  const id = (a: number, b: number) => cmpStr(pool[a]!.agentId, pool[b]!.agentId);
  const idle = new Float64Array(n);
  for (const i of members) idle[i] = pool[i]!.idleSince;
  if (order === 'idle') return members.sort((a, b) => cmpNum(idle[a]!, idle[b]!) || id(a, b));
  const k = new Float64Array(n);
  if (order === 'calls') {
    for (const i of members) k[i] = pool[i]!.callsHandled;
    return members.sort((a, b) => cmpNum(k[a]!, k[b]!) || cmpNum(idle[a]!, idle[b]!) || id(a, b));
  }
  // Never offered sorts first: that agent is the one most "due" a call.
  for (const i of members) k[i] = pool[i]!.lastOfferedAt ?? -Infinity;
  return members.sort((a, b) => cmpNum(k[a]!, k[b]!) || id(a, b));
}

/** Agents in the queue with at least `min` in `skill`, in the order the strategy wants them. */
function listFor(qi: QueueIndex, skill: string, min: number): List {
  let bySkill = qi.derived.get(skill);
  if (!bySkill) qi.derived.set(skill, (bySkill = new Map()));
  let l = bySkill.get(min);
  if (l) return l;
  const src = qi.bySkill.get(skill);
  let idx: number[] = [];
  let prof: number[] = [];
  if (src) {
    for (let i = 0; i < src.idx.length; i++) {
      if (src.prof[i]! >= min) {
        idx.push(src.idx[i]!);
        prof.push(src.prof[i]!);
      }
    }
  }
  if (qi.mostSkilled && idx.length > 1) {
    // Highest proficiency first; equal ones keep idle order (the tie-break), hence the position key.
    const order = idx.map((_, i) => i).sort((a, b) => prof[b]! - prof[a]! || a - b);
    idx = order.map((i) => idx[i]!);
    prof = order.map((i) => prof[i]!);
  }
  l = { idx, prof, head: 0 };
  bySkill.set(min, l);
  return l;
}

function sigFor(qi: QueueIndex, p: Pending): Sig {
  let sg = qi.sigs.get(p.key);
  if (sg) return sg;
  if (p.req.length === 0) {
    sg = { list: qi.all, rest: [], ordered: true, restBound: 0, pos: 0, exhausted: false };
  } else {
    let best = 0;
    let list = listFor(qi, p.req[0]![0], p.req[0]![1]);
    for (let i = 1; i < p.req.length; i++) {
      const l = listFor(qi, p.req[i]![0], p.req[i]![1]);
      if (l.idx.length < list.idx.length) {
        list = l;
        best = i;
      }
    }
    const rest = p.req.filter((_, i) => i !== best);
    const ordered = !qi.mostSkilled || rest.length === 0;
    let restBound = 0;
    if (!ordered) for (const [s] of rest) restBound += qi.bySkill.get(s)?.max ?? 0;
    sg = { list, rest, ordered, restBound, pos: 0, exhausted: false };
  }
  qi.sigs.set(p.key, sg);
  return sg;
}

/** First free, qualified, not excluded agent at or after the shared cursor. */
function scanOrdered(sg: Sig, call: WaitingCall, pool: readonly Agent[], used: Uint8Array): number {
  const { list, rest } = sg;
  const ex = call.excludedAgents !== undefined && call.excludedAgents.length > 0 ? call.excludedAgents : undefined;
  // The shared cursor may only move past agents that are unusable for EVERY call with this
  // requirement; an agent skipped because this call excludes it is still good for the others.
  let advancing = true;
  const n = list.idx.length;
  for (let p = Math.max(sg.pos, list.head); p < n; p++) {
    const a = list.idx[p]!;
    if (used[a]) {
      if (p === list.head) list.head++;
      if (advancing) sg.pos = p + 1;
      continue;
    }
    const ag = pool[a]!;
    if (rest.length > 0 && !qualifies(ag.skills, rest)) {
      if (advancing) sg.pos = p + 1;
      continue;
    }
    if (ex !== undefined && ex.includes(ag.agentId)) {
      advancing = false;
      continue;
    }
    if (advancing) sg.pos = p + 1;
    if (p === list.head) list.head++;
    return a;
  }
  if (advancing) sg.exhausted = true;
  return -1;
}

/**
 * most_skilled with several required skills: the score depends on the call, so look at every
 * candidate, but the list is sorted by the first skill's proficiency, so stop once even a perfect
 * score in the other skills could not beat the best found.
 */
function scanMostSkilled(sg: Sig, call: WaitingCall, pool: readonly Agent[], used: Uint8Array): number {
  const { list, rest, restBound } = sg;
  const ex = call.excludedAgents !== undefined && call.excludedAgents.length > 0 ? call.excludedAgents : undefined;
  let skippedExcluded = false;
  let best = -1;
  let bestScore = -Infinity;
  const n = list.idx.length;
  for (let p = list.head; p < n; p++) {
    const a = list.idx[p]!;
    if (used[a]) {
      if (p === list.head) list.head++;
      continue;
    }
    const first = list.prof[p]!;
    if (first + restBound < bestScore) break;
    const ag = pool[a]!;
    if (!qualifies(ag.skills, rest)) continue;
    if (ex !== undefined && ex.includes(ag.agentId)) {
      skippedExcluded = true;
      continue;
    }
    let score = first;
    for (const [s] of rest) score += proficiency(ag.skills, s);
    if (score > bestScore || (score === bestScore && longerIdle(ag, pool[best]!))) {
      best = a;
      bestScore = score;
    }
  }
  if (best < 0 && !skippedExcluded) sg.exhausted = true;
  return best;
}

function longerIdle(a: Agent, b: Agent): boolean {
  return (cmpNum(a.idleSince, b.idleSince) || cmpStr(a.agentId, b.agentId)) < 0;
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
