import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../src/core/agents/state.js';
import { activeStep, assign } from '../../src/core/routing/assign.js';
import { isEligible, qualifies } from '../../src/core/routing/eligibility.js';
import {
  routingRules,
  type Agent,
  type Assignment,
  type QueueRules,
  type RoutingRules,
  type WaitingCall,
} from '../../src/core/routing/model.js';
import { validateRules } from '../../src/core/routing/rules.js';

// Few skills, queues and distinct times so that ties, contention and shared requirements are common.
const SKILLS = ['vat', 'cit', 'iit', 'constructor'] as const; // 'constructor' guards against prototype lookups
const QUEUES = ['q1', 'q2', 'q3'] as const;
// Weighted towards 'available' so that most runs have real choices to make.
const STATES: AgentState[] = [
  'logged_out',
  'available',
  'available',
  'available',
  'available',
  'available',
  'reserved',
  'on_call',
  'wrap_up',
  'paused',
];

const skillsArb = (min: number, max: number, minKeys = 0) =>
  fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min, max }), { minKeys, maxKeys: SKILLS.length });

const agentsArbOf = (states: readonly AgentState[]) =>
  fc
    .array(
      fc.record({
        state: fc.constantFrom(...states),
        registered: fc.constantFrom(true, true, true, true, false),
        skills: skillsArb(1, 5, 2),
        queues: fc.subarray([...QUEUES], { minLength: 1 }),
        idleSince: fc.integer({ min: 0, max: 4 }),
        callsHandled: fc.integer({ min: 0, max: 3 }),
        lastOfferedAt: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 14 },
    )
    .map((rs) =>
      rs.map((r, i): Agent => {
        const a: Agent = { agentId: `a${(i * 7) % 15}`, ...r, lastOfferedAt: r.lastOfferedAt };
        if (r.lastOfferedAt === undefined) delete a.lastOfferedAt;
        return a;
      }),
    ); // ids are unique (7 is coprime with 15) but not in input order
const agentsArb = agentsArbOf(STATES);

const agentIdArb = fc.constantFrom(...Array.from({ length: 16 }, (_, i) => (i === 15 ? 'ghost' : `a${i}`)));

const callsArb = fc
  .array(
    fc.record({
      queue: fc.constantFrom(...QUEUES, 'nowhere'),
      skills: skillsArb(0, 3),
      priority: fc.integer({ min: 0, max: 2 }),
      enqueuedAt: fc.integer({ min: 0, max: 40_000 }),
      preferredAgentId: fc.option(agentIdArb, { nil: undefined, freq: 3 }),
      excludedAgents: fc.option(fc.uniqueArray(agentIdArb, { maxLength: 3 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((rs) =>
    rs.map((r, i): WaitingCall => {
      const c: WaitingCall = { callId: `c${(i * 11) % 17}`, caller: `1380000${i}`, ...r };
      if (r.preferredAgentId === undefined) delete c.preferredAgentId;
      if (r.excludedAgents === undefined) delete c.excludedAgents;
      return c;
    }),
  );

const stepsArb = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 3 }).chain((later) =>
  fc.tuple(
    ...[0, ...[...later].sort((a, b) => a - b)].map((afterS) =>
      fc.record({
        afterS: fc.constant(afterS),
        skills: fc.oneof(fc.constant('any' as const), fc.constant('inherit' as const), skillsArb(1, 3)),
      }),
    ),
  ),
);

const queueRulesArb = (queue: string) =>
  fc.record({
    queue: fc.constant(queue),
    strategy: fc.constantFrom('longest_idle', 'most_skilled', 'fewest_calls', 'round_robin') as fc.Arbitrary<QueueRules['strategy']>,
    preferredAgentS: fc.integer({ min: 0, max: 20 }),
    steps: stepsArb,
    wrapUpS: fc.constant(10),
    ringTimeoutS: fc.constant(20),
    noAnswerPauseAfter: fc.constant(1),
  });

const rulesArb = fc.tuple(...QUEUES.map(queueRulesArb)).chain((qs) => fc.subarray(qs as QueueRules[], { minLength: 1 }));

const nowArb = fc.integer({ min: 0, max: 100_000 });

const finder = (agents: readonly Agent[]) => (id: string) => agents.find((a) => a.agentId === id);

function callOrder(a: WaitingCall, b: WaitingCall): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

const byId = (a: Agent, b: Agent) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);

/** The obvious O(calls x agents) greedy, written independently of assign.ts's indexes. */
function reference(calls: readonly WaitingCall[], agents: readonly Agent[], rules: RoutingRules, now: number): Assignment[] {
  const find = finder(agents);
  const used = new Set<string>();
  const out: Assignment[] = [];
  for (const c of [...calls].sort(callOrder)) {
    const q = rules.queues.get(c.queue);
    if (!q) continue;
    const step = activeStep(c, rules, now)!;
    const score = (a: Agent) => step.required.reduce((s, [k]) => s + (Object.hasOwn(a.skills, k) ? a.skills[k]! : 0), 0);
    const cands = agents.filter((a) => !used.has(a.agentId) && isEligible(a, c, rules, now, find));
    cands.sort((a, b) => {
      switch (q.strategy) {
        case 'longest_idle':
          return a.idleSince - b.idleSince || byId(a, b);
        case 'most_skilled':
          return score(b) - score(a) || a.idleSince - b.idleSince || byId(a, b);
        case 'fewest_calls':
          return a.callsHandled - b.callsHandled || a.idleSince - b.idleSince || byId(a, b);
        case 'round_robin':
          return (a.lastOfferedAt ?? -Infinity) - (b.lastOfferedAt ?? -Infinity) || byId(a, b);
      }
    });
    const best = cands[0];
    if (best) {
      used.add(best.agentId);
      out.push({ callId: c.callId, agentId: best.agentId, step: step.index });
    }
  }
  return out;
}

const RUNS = { numRuns: 600 };

describe('assign: properties over random agents, calls and rules', () => {
  it('only pairs offerable, qualified agents serving the queue; each agent and call at most once', () => {
    fc.assert(
      fc.property(agentsArb, callsArb, rulesArb, nowArb, (agents, calls, qs, now) => {
        const rules = routingRules(qs);
        const result = assign(calls, agents, rules, now);
        const find = finder(agents);
        expect(new Set(result.map((p) => p.agentId)).size).toBe(result.length);
        expect(new Set(result.map((p) => p.callId)).size).toBe(result.length);
        for (const p of result) {
          const a = find(p.agentId)!;
          const c = calls.find((x) => x.callId === p.callId)!;
          const step = activeStep(c, rules, now)!;
          expect(a.state).toBe('available');
          expect(a.registered).toBe(true);
          expect(a.queues).toContain(c.queue);
          expect(qualifies(a.skills, step.required)).toBe(true);
          expect(c.excludedAgents ?? []).not.toContain(a.agentId);
          expect(p.step).toBe(step.index);
          expect(isEligible(a, c, rules, now, find)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('leaves no eligible agent idle while a call it could take is waiting', () => {
    fc.assert(
      fc.property(agentsArb, callsArb, rulesArb, nowArb, (agents, calls, qs, now) => {
        const rules = routingRules(qs);
        const result = assign(calls, agents, rules, now);
        const find = finder(agents);
        const busyAgents = new Set(result.map((p) => p.agentId));
        const served = new Set(result.map((p) => p.callId));
        for (const a of agents) {
          if (busyAgents.has(a.agentId)) continue;
          for (const c of calls) if (isEligible(a, c, rules, now, find)) expect(served).toContain(c.callId);
        }
      }),
      RUNS,
    );
  });

  it('never passes over a waiting call for a later (lower priority or newer) call that got an agent it could take', () => {
    fc.assert(
      fc.property(agentsArb, callsArb, rulesArb, nowArb, (agents, calls, qs, now) => {
        const rules = routingRules(qs);
        const result = assign(calls, agents, rules, now);
        const find = finder(agents);
        const served = new Set(result.map((p) => p.callId));
        for (const waiting of calls.filter((c) => !served.has(c.callId))) {
          for (const p of result) {
            const later = calls.find((c) => c.callId === p.callId)!;
            if (callOrder(waiting, later) < 0) expect(isEligible(find(p.agentId)!, waiting, rules, now, find)).toBe(false);
          }
        }
      }),
      RUNS,
    );
  });

  it('makes exactly the choices of the brute-force greedy (strategies, ties, preferred agents)', () => {
    fc.assert(
      fc.property(agentsArb, callsArb, rulesArb, nowArb, (agents, calls, qs, now) => {
        const rules = routingRules(qs);
        expect(assign(calls, agents, rules, now)).toEqual(reference(calls, agents, rules, now));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the brute-force greedy for most_skilled over several skills in a crowded queue', () => {
    const crowdedRules = fc
      .constantFrom<QueueRules['steps']>(
        [{ afterS: 0, skills: 'inherit' }],
        [{ afterS: 0, skills: { vat: 1, cit: 1 } }],
        [
          { afterS: 0, skills: { vat: 2, cit: 1, iit: 1 } },
          { afterS: 30, skills: { vat: 1, iit: 1 } },
        ],
      )
      .map((steps) =>
        routingRules(
          QUEUES.map((queue) => ({
            queue,
            strategy: 'most_skilled',
            preferredAgentS: 5,
            steps,
            wrapUpS: 0,
            ringTimeoutS: 20,
            noAnswerPauseAfter: 1,
          })),
        ),
      );
    const crowdedCalls = callsArb.map((cs) => cs.map((c) => ({ ...c, queue: 'q1', skills: { vat: 1, cit: 1, ...c.skills } })));
    const crowdedAgents = agentsArbOf(['available']).map((as) => as.map((a) => ({ ...a, registered: true, queues: ['q1'] })));
    fc.assert(
      fc.property(crowdedAgents, crowdedCalls, crowdedRules, nowArb, (agents, calls, rules, now) => {
        expect(assign(calls, agents, rules, now)).toEqual(reference(calls, agents, rules, now));
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts every generated rule set through validateRules unchanged', () => {
    fc.assert(
      fc.property(rulesArb, (qs) => {
        const r = validateRules({ queues: qs }, { knownSkills: SKILLS, knownQueues: QUEUES });
        expect(r.ok).toBe(true);
        if (r.ok) expect([...r.rules.queues.values()]).toEqual(qs);
      }),
      { numRuns: 200 },
    );
  });
});
