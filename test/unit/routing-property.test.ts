import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeStep, assign } from '../../src/core/routing/assign.js';
import { isEligible, qualifies } from '../../src/core/routing/eligibility.js';
import { routingRules, type QueueRules } from '../../src/core/routing/model.js';
import { validateRules } from '../../src/core/routing/rules.js';
import { agentsArb, agentsArbOf, callOrder, callsArb, finder, nowArb, QUEUES, reference, rulesArb, SKILLS } from './routing-arbitraries.js';

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
