/**
 * Random agents, calls and rules for the routing property tests, and the brute-force greedy that
 * judges both assign() and the routing index. Shared so both suites are judged by the same definition.
 */
import fc from 'fast-check';
import type { AgentState } from '../../src/core/agents/state.js';
import { activeStep } from '../../src/core/routing/assign.js';
import { isEligible } from '../../src/core/routing/eligibility.js';
import type { Agent, Assignment, QueueRules, RoutingRules, WaitingCall } from '../../src/core/routing/model.js';
// Few skills, queues and distinct times so that ties, contention and shared requirements are common.
export const SKILLS = ['vat', 'cit', 'iit', 'constructor'] as const; // 'constructor' guards against prototype lookups
export const QUEUES = ['q1', 'q2', 'q3'] as const;
// Weighted towards 'available' so that most runs have real choices to make.
export const STATES: AgentState[] = [
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

export const skillsArb = (min: number, max: number, minKeys = 0) =>
  fc.dictionary(fc.constantFrom(...SKILLS), fc.integer({ min, max }), { minKeys, maxKeys: SKILLS.length });

export const agentsArbOf = (states: readonly AgentState[]) =>
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
export const agentsArb = agentsArbOf(STATES);

export const agentIdArb = fc.constantFrom(...Array.from({ length: 16 }, (_, i) => (i === 15 ? 'ghost' : `a${i}`)));

export const callsArb = fc
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

export const stepsArb = fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 3 }).chain((later) =>
  fc.tuple(
    ...[0, ...[...later].sort((a, b) => a - b)].map((afterS) =>
      fc.record({
        afterS: fc.constant(afterS),
        skills: fc.oneof(fc.constant('any' as const), fc.constant('inherit' as const), skillsArb(1, 3)),
      }),
    ),
  ),
);

export const queueRulesArb = (queue: string) =>
  fc.record({
    queue: fc.constant(queue),
    strategy: fc.constantFrom('longest_idle', 'most_skilled', 'fewest_calls', 'round_robin') as fc.Arbitrary<QueueRules['strategy']>,
    preferredAgentS: fc.integer({ min: 0, max: 20 }),
    steps: stepsArb,
    wrapUpS: fc.constant(10),
    ringTimeoutS: fc.constant(20),
    noAnswerPauseAfter: fc.constant(1),
  });

export const rulesArb = fc.tuple(...QUEUES.map(queueRulesArb)).chain((qs) => fc.subarray(qs as QueueRules[], { minLength: 1 }));

export const nowArb = fc.integer({ min: 0, max: 100_000 });

export const finder = (agents: readonly Agent[]) => (id: string) => agents.find((a) => a.agentId === id);

export function callOrder(a: WaitingCall, b: WaitingCall): number {
  return b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

export const byId = (a: Agent, b: Agent) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);

/** The obvious O(calls x agents) greedy, written independently of assign.ts's indexes. */
export function reference(calls: readonly WaitingCall[], agents: readonly Agent[], rules: RoutingRules, now: number): Assignment[] {
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
