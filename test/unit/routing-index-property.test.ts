/**
 * The routing index judged by the definitions: after any random sequence of events (agents come,
 * change and go, calls enter and leave), its answers equal what assign() and the brute-force greedy
 * give on the same state, and every pair it makes satisfies isEligible().
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from '../../src/core/routing/assign.js';
import { isEligible } from '../../src/core/routing/eligibility.js';
import { routingRules, type Agent, type Assignment, type RoutingRules, type WaitingCall } from '../../src/core/routing/model.js';
import { RoutingIndex } from '../../src/core/routing/routing-index.js';
import { agentsArbOf, callOrder, callsArb, finder, nowArb, reference, rulesArb, STATES } from './routing-arbitraries.js';

// Ids from small pools so that events often replace or remove what an earlier event added.
const agentIds = Array.from({ length: 10 }, (_, i) => `a${i}`);
const callIds = Array.from({ length: 10 }, (_, i) => `c${i}`);

type Op =
  | { kind: 'upsert'; agent: Agent }
  | { kind: 'removeAgent'; id: string }
  | { kind: 'addCall'; call: WaitingCall }
  | { kind: 'removeCall'; id: string }
  | { kind: 'check'; now: number };

const upsertArb = fc
  .tuple(agentsArbOf(STATES), fc.constantFrom(...agentIds))
  .map(([as, id]): Op => ({ kind: 'upsert', agent: { ...as[0]!, agentId: id } }));
// Enqueued over the same span as the checks' clocks, so preferred-agent windows (up to 20 s) are
// often open and some calls are stamped after `now` (clock skew).
const addCallArb = fc
  .tuple(callsArb, fc.constantFrom(...callIds), fc.integer({ min: 0, max: 100_000 }))
  .map(([cs, id, enqueuedAt]): Op => ({ kind: 'addCall', call: { ...cs[0]!, callId: id, enqueuedAt } }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: upsertArb },
  { weight: 1, arbitrary: fc.constantFrom(...agentIds).map((id): Op => ({ kind: 'removeAgent', id })) },
  { weight: 4, arbitrary: addCallArb },
  { weight: 1, arbitrary: fc.constantFrom(...callIds).map((id): Op => ({ kind: 'removeCall', id })) },
  { weight: 2, arbitrary: nowArb.map((now): Op => ({ kind: 'check', now })) },
);
const opsArb = fc
  .tuple(fc.array(opArb, { minLength: 10, maxLength: 40, size: 'max' }), nowArb)
  .map(([ops, now]) => [...ops, { kind: 'check', now } as Op]);

/** The same agents with every other offerable one busy (still logged in, so preferred-agent holds are unchanged). */
function onlyOffering(agents: readonly Agent[], id: string): Agent[] {
  return agents.map((a) => (a.agentId === id || a.state !== 'available' ? a : { ...a, state: 'on_call' }));
}

/** How often each kind of decision came out non-empty: the judge only means something if they do. */
const seen = { round: 0, agentFor: 0, callFor: 0, preferred: 0, held: 0 };

/** Every decision the index can make at `now`, each against its definition. */
function checkAll(index: RoutingIndex, agents: readonly Agent[], calls: readonly WaitingCall[], rules: RoutingRules, now: number): void {
  const find = finder(agents);
  const round = index.round(now);
  expect(round).toEqual(assign(calls, agents, rules, now));
  expect(round).toEqual(reference(calls, agents, rules, now));
  if (round.length > 0) seen.round++;
  expect(index.round(now)).toEqual(round); // round() leaves the index as it was
  expect(index.waitingCalls().map((c) => c.callId)).toEqual([...calls].sort(callOrder).map((c) => c.callId));

  for (const c of calls) {
    const got = index.bestAgentFor(c, now);
    expect(got).toEqual(assign([c], agents, rules, now)[0]);
    if (got) expect(isEligible(find(got.agentId)!, c, rules, now, find)).toBe(true);
    if (got) seen.agentFor++;
    if (got && got.agentId === c.preferredAgentId) seen.preferred++;
    const { preferredAgentId: _, ...free } = c;
    if (!got && agents.some((a) => isEligible(a, free, rules, now, find))) seen.held++;
  }
  for (const a of agents) {
    const got = index.bestCallFor(a.agentId, now);
    expect(got).toEqual(assign(calls, onlyOffering(agents, a.agentId), rules, now)[0]);
    const first = [...calls].sort(callOrder).find((c) => isEligible(a, c, rules, now, find));
    expect(got?.callId).toBe(first?.callId);
    if (got) seen.callFor++;
  }
  expect(index.bestCallFor('nobody', now)).toBeUndefined();
}

describe('routing index: decisions equal the definition after any sequence of events', () => {
  it('round, bestAgentFor and bestCallFor match assign(), the brute-force greedy and isEligible', () => {
    fc.assert(
      fc.property(rulesArb, opsArb, (qs, ops) => {
        const rules = routingRules(qs);
        const index = new RoutingIndex(rules);
        const agents = new Map<string, Agent>();
        const calls = new Map<string, WaitingCall>();
        for (const op of ops) {
          switch (op.kind) {
            case 'upsert':
              agents.set(op.agent.agentId, op.agent);
              index.upsertAgent(op.agent);
              break;
            case 'removeAgent':
              agents.delete(op.id);
              index.removeAgent(op.id);
              break;
            case 'addCall':
              calls.set(op.call.callId, op.call);
              index.addCall(op.call);
              break;
            case 'removeCall':
              calls.delete(op.id);
              index.removeCall(op.id);
              break;
            case 'check':
              checkAll(index, [...agents.values()], [...calls.values()], rules, op.now);
          }
          expect(index.agentCount).toBe(agents.size);
          expect(index.callCount).toBe(calls.size);
        }
      }),
      { numRuns: 1500 },
    );
    expect(seen).toEqual({
      round: expect.toSatisfy((n: number) => n > 1000),
      agentFor: expect.toSatisfy((n: number) => n > 1000),
      callFor: expect.toSatisfy((n: number) => n > 1000),
      preferred: expect.toSatisfy((n: number) => n > 100),
      held: expect.toSatisfy((n: number) => n > 100),
    });
  });

  it('a dispatcher loop of single decisions makes, at every event, exactly the pairs a full assign() round would', () => {
    // Events handled the way the dispatcher will: a call entering asks bestAgentFor; a changed
    // agent asks bestCallFor and re-decides the calls held for it; time moving on re-decides the
    // waiting calls in call order (the widening timers). A pairing makes the agent reserved and
    // takes the call out of the queue.
    let paired = 0;
    fc.assert(
      fc.property(rulesArb, opsArb, (qs, ops) => {
        const rules = routingRules(qs);
        const index = new RoutingIndex(rules);
        const agents = new Map<string, Agent>();
        const calls = new Map<string, WaitingCall>();
        let now = 0;
        const made: Assignment[] = [];
        const madeCalls = new Map<string, WaitingCall>();
        const take = (p: Assignment | undefined) => {
          if (!p) return;
          made.push(p);
          madeCalls.set(p.callId, calls.get(p.callId)!);
          const a = { ...agents.get(p.agentId)!, state: 'reserved' as const, lastOfferedAt: now };
          agents.set(p.agentId, a);
          index.upsertAgent(a);
          calls.delete(p.callId);
          index.removeCall(p.callId);
        };
        const agentChanged = (id: string) => {
          take(index.bestCallFor(id, now));
          for (const c of index.callsPreferring(id)) take(index.bestAgentFor(c, now));
        };
        for (const op of ops) {
          let expected: Assignment[];
          made.length = 0;
          if (op.kind === 'check') {
            now = Math.max(now, op.now);
            expected = assign([...calls.values()], [...agents.values()], rules, now);
            for (const c of index.waitingCalls()) take(index.bestAgentFor(c, now));
          } else if (op.kind === 'upsert') {
            agents.set(op.agent.agentId, op.agent);
            index.upsertAgent(op.agent);
            expected = assign([...calls.values()], [...agents.values()], rules, now);
            agentChanged(op.agent.agentId);
          } else if (op.kind === 'removeAgent') {
            agents.delete(op.id);
            index.removeAgent(op.id);
            expected = assign([...calls.values()], [...agents.values()], rules, now);
            agentChanged(op.id);
          } else if (op.kind === 'addCall') {
            const call = { ...op.call, enqueuedAt: now };
            calls.set(call.callId, call);
            index.addCall(call);
            expected = assign([...calls.values()], [...agents.values()], rules, now);
            take(index.bestAgentFor(call, now));
          } else {
            calls.delete(op.id);
            index.removeCall(op.id);
            expected = [];
          }
          expect([...made].sort((a, b) => callOrder(madeCalls.get(a.callId)!, madeCalls.get(b.callId)!))).toEqual(expected);
          paired += made.length;
          expect(assign([...calls.values()], [...agents.values()], rules, now)).toEqual([]);
        }
      }),
      { numRuns: 1000 },
    );
    expect(paired).toBeGreaterThan(1000);
  });
});
