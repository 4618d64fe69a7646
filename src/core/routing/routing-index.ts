/**
 * The routing core kept up to date by events, so that one decision costs a lookup, not a round.
 *
 * assign() (assign.ts) is the definition of a full round and stays so: given every waiting call and
 * every agent it pairs them greedily in call order, rebuilding its lists each time. That is right
 * for a round but wasteful when one thing changed. Between events the dispatcher's state is settled
 * (no offerable agent is eligible for a waiting call, or assign() would have paired them), and one
 * event can only unsettle what it touches:
 *   - a call arrives (or its step widens, see nextWideningAt): bestAgentFor(call, now) is
 *     assign([call], agents, rules, now)[0];
 *   - an agent becomes free: bestCallFor(agentId, now) is the first waiting call in call order
 *     (priority desc, longest waiting, callId) the agent is eligible for, i.e. what assign() gives
 *     when that agent is the only offerable one;
 *   - any change to an agent can also end the preferred-agent hold on calls naming it (logged out,
 *     no longer serving the queue or qualified): re-decide callsPreferring(agentId) in order;
 *   - time passing widens steps and ends holds: at nextWideningAt(call) re-decide that call.
 * Handled that way, every event's decisions equal what a full assign() round would make (the
 * "dispatcher loop" property test checks exactly that).
 * round(now) answers a whole round from the index (equal to assign() over the same state) for
 * recovery or a rules change. The property tests (routing-index-property.test.ts) hold the index to
 * assign() and isEligible() after random sequences of events.
 *
 * What is kept, per queue of the rules:
 *   - its offerable agents sorted by the queue's strategy (most_skilled: by idle time);
 *   - per skill and exact proficiency, the same agents having that skill at that level, so
 *     "at least m" is a merge of at most a few lists and most_skilled reads levels from the top;
 *   - its waiting calls in call order.
 * A call with several required skills scans the list of its rarest skill and checks the rest, like
 * assign(); a 32-bit summary of skills (a bit per skill, shared modulo 32) rejects most
 * non-qualifying candidates without looking at their skills.
 *
 * Use: upsertAgent on every change of an agent's record (state, registration, skills, queues, idle
 * time, calls handled, last offer), removeAgent when it is gone; addCall / removeCall as calls enter
 * and leave the queue. Records are kept by reference: hand over a new object rather than changing
 * one already given. One record per agentId and per callId (a later one replaces the earlier;
 * assign() given duplicates uses the first). Rules decide the lists' orders: on a rules change
 * build a new index.
 * Pure: no I/O, no clock (callers pass `now`).
 */
import { offerable } from '../agents/state.js';
import { isExcluded, preferredHolder, proficiency, qualifies, requirementFrom, toMs, waitMs, type Requirement } from './eligibility.js';
import type { Agent, Assignment, QueueRules, RoutingRules, WaitingCall } from './model.js';
import { firstAccepted, SortedList, type Compare } from './sorted-list.js';

interface AgentSlot {
  agent: Agent;
  id: string;
  /** Sort keys copied from the record when indexed, so removal finds the slot even if they change. */
  idle: number;
  calls: number;
  rr: number;
  /** Queues of the rules this agent serves, each once. */
  queues: QueueIndex[];
  /** Skills with a positive proficiency. */
  skills: Array<readonly [string, number]>;
  mask: number;
  /** In the lists (offerable when upserted, and not taken by a round in progress). */
  listed: boolean;
}

interface CallSlot {
  call: WaitingCall;
  id: string;
  priority: number;
  enqueuedAt: number;
  q: QueueIndex | undefined;
  /** The call's own requirement and its skills' bits, for 'inherit' steps. */
  own: Requirement;
  ownMask: number;
}

interface Level {
  prof: number;
  list: SortedList<AgentSlot>;
}

interface QueueIndex {
  rules: QueueRules;
  stepMs: number[];
  /** Per step: its requirement and bits; null for 'inherit' (the call's own). */
  stepReq: Array<Requirement | null>;
  stepMask: number[];
  order: Compare<AgentSlot>;
  mostSkilled: boolean;
  all: SortedList<AgentSlot>;
  /** Skill -> its levels, highest proficiency first, none empty. */
  skills: Map<string, Level[]>;
  calls: SortedList<CallSlot>;
}

export class RoutingIndex {
  private readonly queues = new Map<string, QueueIndex>();
  private readonly agents = new Map<string, AgentSlot>();
  private readonly calls = new Map<string, CallSlot>();
  private readonly bits = new Map<string, number>();
  /** Preferred agentId -> waiting calls naming them, to re-decide those calls when that agent changes. */
  private readonly preferring = new Map<string, Set<CallSlot>>();
  /** The last call compiled for a question, reused when that call is then queued. */
  private compiled: CallSlot | undefined;
  /** Scratch for bestCallFor, one entry per step. */
  private readonly stepOk: number[] = [];
  private readonly find = (id: string): Agent | undefined => this.agents.get(id)?.agent;

  constructor(rules: RoutingRules) {
    for (const [name, r] of rules.queues) {
      const order = r.strategy === 'fewest_calls' ? byCalls : r.strategy === 'round_robin' ? byLastOffer : byIdle;
      const stepReq = r.steps.map((s) => (s.skills === 'inherit' ? null : s.skills === 'any' ? [] : requirementFrom(s.skills)));
      this.queues.set(name, {
        rules: r,
        stepMs: r.steps.map((s) => toMs(s.afterS)),
        stepReq,
        stepMask: stepReq.map((req) => (req === null ? 0 : this.maskOf(req))),
        order,
        mostSkilled: r.strategy === 'most_skilled',
        all: new SortedList(order),
        skills: new Map(),
        calls: new SortedList(callOrder),
      });
    }
  }

  get agentCount(): number {
    return this.agents.size;
  }

  get callCount(): number {
    return this.calls.size;
  }

  agent(agentId: string): Agent | undefined {
    return this.find(agentId);
  }

  call(callId: string): WaitingCall | undefined {
    return this.calls.get(callId)?.call;
  }

  /** Adds or replaces an agent's record; only offerable agents are candidates, but every logged-in one can be a preferred agent. */
  upsertAgent(agent: Agent): void {
    const old = this.agents.get(agent.agentId);
    if (old) this.unlist(old);
    const queues: QueueIndex[] = [];
    for (const name of agent.queues) {
      const qi = this.queues.get(name);
      if (qi && !queues.includes(qi)) queues.push(qi);
    }
    const skills: Array<readonly [string, number]> = [];
    let mask = 0;
    for (const s of Object.keys(agent.skills)) {
      const p = proficiency(agent.skills, s);
      if (p === 0) continue;
      skills.push([s, p]);
      mask |= this.bit(s);
    }
    const slot: AgentSlot = {
      agent,
      id: agent.agentId,
      idle: agent.idleSince,
      calls: agent.callsHandled,
      rr: agent.lastOfferedAt ?? -Infinity,
      queues,
      skills,
      mask,
      listed: false,
    };
    this.agents.set(agent.agentId, slot);
    if (offerable(agent)) this.list(slot);
  }

  removeAgent(agentId: string): void {
    const old = this.agents.get(agentId);
    if (!old) return;
    this.unlist(old);
    this.agents.delete(agentId);
  }

  /** Puts a call in the queue (replacing one with the same callId). A call for a queue not in the rules is kept but never routed, as assign() skips it. */
  addCall(call: WaitingCall): void {
    this.removeCall(call.callId);
    // A call asked about on entry and then queued is compiled once.
    const slot = this.compiled?.call === call ? this.compiled : this.compileCall(call);
    this.calls.set(call.callId, slot);
    slot.q?.calls.insert(slot);
    const p = call.preferredAgentId;
    if (p !== undefined) {
      let set = this.preferring.get(p);
      if (!set) this.preferring.set(p, (set = new Set()));
      set.add(slot);
    }
  }

  removeCall(callId: string): void {
    const slot = this.calls.get(callId);
    if (!slot) return;
    slot.q?.calls.delete(slot);
    this.calls.delete(callId);
    const p = slot.call.preferredAgentId;
    if (p !== undefined) {
      const set = this.preferring.get(p)!;
      set.delete(slot);
      if (set.size === 0) this.preferring.delete(p);
    }
  }

  /**
   * Waiting calls that name this agent as their preferred one, in call order. When that agent logs
   * out, stops serving the queue or loses a skill, the hold on these calls ends and another agent
   * may take them at once: re-decide each with bestAgentFor.
   */
  callsPreferring(agentId: string): WaitingCall[] {
    const set = this.preferring.get(agentId);
    return set === undefined ? [] : [...set].sort(callOrder).map((c) => c.call);
  }

  /**
   * The agent to offer this call to now, if any: assign([call], agents, rules, now)[0]. The call
   * need not be in the index (a call just entering the queue is asked about before it waits).
   */
  bestAgentFor(call: WaitingCall, now: number): Assignment | undefined {
    const known = this.calls.get(call.callId);
    let c = known !== undefined && known.call === call ? known : this.compiled;
    if (c === undefined || c.call !== call) c = this.compiled = this.compileCall(call);
    const qi = c.q;
    if (!qi) return undefined;
    const wait = waitMs(call, now);
    const step = stepAt(qi.stepMs, wait);
    const fixed = qi.stepReq[step] as Requirement | null;
    const req = fixed ?? c.own;
    if (call.preferredAgentId !== undefined) {
      const holder = preferredHolder(call, qi.rules, wait, req, this.find);
      if (holder) return this.agents.get(holder.agentId)!.listed ? { callId: call.callId, agentId: holder.agentId, step } : undefined;
    }
    const a = this.pickAgent(qi, req, fixed === null ? c.ownMask : qi.stepMask[step]!, call.excludedAgents);
    return a && { callId: call.callId, agentId: a.id, step };
  }

  /**
   * The waiting call to offer this agent now, if any: the first in call order the agent is
   * eligible for. Scans the agent's queues' calls in order and stops at the first fit; the skill
   * bits make a miss cost a few instructions.
   */
  bestCallFor(agentId: string, now: number): Assignment | undefined {
    const a = this.agents.get(agentId);
    if (!a || !a.listed) return undefined;
    let best: CallSlot | undefined;
    let bestStep = 0;
    const ok = this.stepOk;
    for (const qi of a.queues) {
      // Whether the agent meets each step without looking at the call: fixed steps are checked
      // once here, so the scan below reads only the call's slot (wait, own skills' bits) until
      // something fits. 1 = meets it, 0 = does not, -1 = 'inherit', depends on the call.
      let any = false;
      for (let i = 0; i < qi.stepMs.length; i++) {
        const fixed = qi.stepReq[i] as Requirement | null;
        ok[i] = fixed === null ? -1 : (qi.stepMask[i]! & ~a.mask) === 0 && qualifies(a.agent.skills, fixed) ? 1 : 0;
        if (ok[i] !== 0) any = true;
      }
      if (!any) continue;
      scan: for (const blk of qi.calls.blocks) {
        for (const c of blk) {
          if (best !== undefined && callOrder(c, best) > 0) break scan;
          const wait = now > c.enqueuedAt ? now - c.enqueuedAt : 0;
          const step = stepAt(qi.stepMs, wait);
          const o = ok[step]!;
          if (o === 0 || (o < 0 && ((c.ownMask & ~a.mask) !== 0 || !qualifies(a.agent.skills, c.own)))) continue;
          const call = c.call;
          if (isExcluded(call, agentId)) continue;
          // Held for another agent who could take it: not ours during the window.
          if (call.preferredAgentId !== undefined && call.preferredAgentId !== agentId) {
            const req = (qi.stepReq[step] as Requirement | null) ?? c.own;
            if (preferredHolder(call, qi.rules, wait, req, this.find) !== undefined) continue;
          }
          best = c;
          bestStep = step;
          break scan;
        }
      }
    }
    return best && { callId: best.id, agentId, step: bestStep };
  }

  /**
   * A whole round from the index: equal to assign(waiting calls, agents, rules, now). Leaves the
   * index as it found it (the caller applies the assignments through the usual events).
   */
  round(now: number): Assignment[] {
    const order: CallSlot[] = [];
    for (const qi of this.queues.values()) for (const c of qi.calls) order.push(c);
    order.sort(callOrder);
    const taken: AgentSlot[] = [];
    const out: Assignment[] = [];
    try {
      for (const c of order) {
        const p = this.bestAgentFor(c.call, now);
        if (!p) continue;
        out.push(p);
        const a = this.agents.get(p.agentId)!;
        this.unlist(a);
        taken.push(a);
      }
    } finally {
      for (const a of taken) this.list(a);
    }
    return out;
  }

  /** Waiting calls in call order (for diagnostics and tests; O(n log n)). */
  waitingCalls(): WaitingCall[] {
    return [...this.calls.values()].sort(callOrder).map((c) => c.call);
  }

  private pickAgent(qi: QueueIndex, req: Requirement, mask: number, excluded: readonly string[] | undefined): AgentSlot | undefined {
    const ex = excluded !== undefined && excluded.length > 0 ? excluded : undefined;
    if (req.length === 0) {
      for (const blk of qi.all.blocks) for (const a of blk) if (ex === undefined || !ex.includes(a.id)) return a;
      return undefined;
    }
    // Scan the skill with the fewest qualifying agents, as assign() does.
    let anchor = -1;
    let anchorLevels: Level[] = [];
    let fewest = Infinity;
    for (let i = 0; i < req.length; i++) {
      const [s, m] = req[i]!;
      const levels = qi.skills.get(s);
      let n = 0;
      if (levels) for (const l of levels) if (l.prof >= m) n += l.list.size;
      if (n === 0) return undefined;
      if (n < fewest) {
        fewest = n;
        anchor = i;
        anchorLevels = levels!;
      }
    }
    const min = req[anchor]![1];
    const lists: SortedList<AgentSlot>[] = [];
    const profs: number[] = [];
    for (const l of anchorLevels) {
      if (l.prof < min) break;
      lists.push(l.list);
      profs.push(l.prof);
    }
    const rest = req.length === 1 ? req.slice(0, 0) : req.filter((_, i) => i !== anchor);
    const fits = (a: AgentSlot): boolean =>
      (mask & ~a.mask) === 0 && (rest.length === 0 || qualifies(a.agent.skills, rest)) && (ex === undefined || !ex.includes(a.id));
    if (!qi.mostSkilled) return firstAccepted(lists, qi.order, fits);
    if (rest.length === 0) {
      // One skill: the score is the level, so the best is the first fit from the top level down.
      for (const l of lists) for (const blk of l.blocks) for (const a of blk) if (fits(a)) return a;
      return undefined;
    }
    return mostSkilled(qi, lists, profs, rest, fits);
  }

  private list(a: AgentSlot): void {
    a.listed = true;
    for (const qi of a.queues) {
      qi.all.insert(a);
      for (const [s, p] of a.skills) {
        let levels = qi.skills.get(s);
        if (!levels) qi.skills.set(s, (levels = []));
        let i = 0;
        while (i < levels.length && levels[i]!.prof > p) i++;
        if (i === levels.length || levels[i]!.prof !== p) levels.splice(i, 0, { prof: p, list: new SortedList(qi.order) });
        levels[i]!.list.insert(a);
      }
    }
  }

  private unlist(a: AgentSlot): void {
    if (!a.listed) return;
    a.listed = false;
    for (const qi of a.queues) {
      qi.all.delete(a);
      for (const [s, p] of a.skills) {
        const levels = qi.skills.get(s)!;
        const i = levels.findIndex((l) => l.prof === p);
        const l = levels[i]!;
        l.list.delete(a);
        if (l.list.size === 0) levels.splice(i, 1);
      }
    }
  }

  private compileCall(call: WaitingCall): CallSlot {
    const qi = this.queues.get(call.queue);
    const own = qi?.stepReq.includes(null) ? requirementFrom(call.skills) : [];
    return { call, id: call.callId, priority: call.priority, enqueuedAt: call.enqueuedAt, q: qi, own, ownMask: this.maskOf(own) };
  }

  private maskOf(req: Requirement): number {
    let mask = 0;
    for (const [k] of req) mask |= this.bit(k);
    return mask;
  }

  private bit(skill: string): number {
    let b = this.bits.get(skill);
    if (b === undefined) {
      b = 1 << (this.bits.size % 32);
      this.bits.set(skill, b);
    }
    return b;
  }
}

/**
 * most_skilled over several skills: the score (sum of the required proficiencies) depends on the
 * call, so every candidate counts, but levels come highest first, so stop once even the best
 * possible rest could not reach the best score found. Ties go to the longer idle, as in assign().
 */
function mostSkilled(
  qi: QueueIndex,
  lists: readonly SortedList<AgentSlot>[],
  profs: readonly number[],
  rest: Requirement,
  fits: (a: AgentSlot) => boolean,
): AgentSlot | undefined {
  let restBound = 0;
  for (const [s] of rest) restBound += qi.skills.get(s)?.[0]?.prof ?? 0;
  let best: AgentSlot | undefined;
  let bestScore = -Infinity;
  for (let k = 0; k < lists.length; k++) {
    const first = profs[k]!;
    if (first + restBound < bestScore) break;
    for (const blk of lists[k]!.blocks) {
      for (const a of blk) {
        if (!fits(a)) continue;
        let score = first;
        for (const [s] of rest) score += proficiency(a.agent.skills, s);
        if (score > bestScore || (score === bestScore && byIdle(a, best!) < 0)) {
          best = a;
          bestScore = score;
        }
      }
    }
  }
  return best;
}

function stepAt(stepMs: readonly number[], wait: number): number {
  for (let i = stepMs.length - 1; i > 0; i--) if (wait >= stepMs[i]!) return i;
  return 0;
}

// The strategies' orders, exactly as assign.ts sorts (its sortedPool): ties end on agentId.
function byIdle(a: AgentSlot, b: AgentSlot): number {
  return cmpNum(a.idle, b.idle) || cmpStr(a.id, b.id);
}

function byCalls(a: AgentSlot, b: AgentSlot): number {
  return cmpNum(a.calls, b.calls) || cmpNum(a.idle, b.idle) || cmpStr(a.id, b.id);
}

/** round_robin: never offered (-Infinity) first; ties go straight to agentId, not idle time, as in assign(). */
function byLastOffer(a: AgentSlot, b: AgentSlot): number {
  return cmpNum(a.rr, b.rr) || cmpStr(a.id, b.id);
}

function callOrder(a: CallSlot, b: CallSlot): number {
  return cmpNum(b.priority, a.priority) || cmpNum(a.enqueuedAt, b.enqueuedAt) || cmpStr(a.id, b.id);
}

function cmpNum(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
