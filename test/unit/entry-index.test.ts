import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from '../../src/core/routing/assign.js';
import { routingRules, type Agent } from '../../src/core/routing/model.js';
import type { AgentLive, IdleAgent } from '../../src/features/agents/agent-live-store.js';
import { EntryIndex } from '../../src/features/routing/entry-index.js';
import { agentsArb, callsArb, nowArb, rulesArb } from './routing-arbitraries.js';

/** A step of the dispatcher's world: a new copy of the agents (some records kept by identity), an idle read, offers. */
const stepArb = fc.record({
  agents: agentsArb,
  keep: fc.array(fc.boolean(), { minLength: 15, maxLength: 15 }),
  idle: fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 4 })), { maxLength: 10 }),
  newIdleRead: fc.boolean(),
  asOf: fc.constantFrom(0, 3),
  offers: fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 6 })), { maxLength: 3 }),
  calls: callsArb,
  now: nowArb,
});

const live = (a: Agent): AgentLive => ({
  agentId: a.agentId,
  state: a.state,
  registered: a.registered,
  since: a.idleSince,
  profile: { skills: a.skills, queues: [...a.queues] } as AgentLive['profile'],
  callsHandled: a.callsHandled,
  lastOfferedAt: a.lastOfferedAt,
  misses: 0,
});

describe('EntryIndex: the dispatcher’s agents kept in the routing index by what changed', () => {
  it('property: after any sequence of copies, idle reads and offers, it picks what assign([call], every agent) picks', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(stepArb, { minLength: 1, maxLength: 6 }), (queues, steps) => {
        const rules = routingRules(queues);
        const offers = new Map<string, number[]>();
        let asOf = 0;
        // Mirrors the dispatcher's view: the record, the idle read, and offers since the copy was read.
        const view = (r: AgentLive, since: number | undefined): Agent => {
          let a: Agent = {
            agentId: r.agentId,
            state: r.state,
            registered: r.registered,
            skills: r.profile.skills,
            queues: r.profile.queues,
            idleSince: r.since,
            callsHandled: r.callsHandled,
            lastOfferedAt: r.lastOfferedAt,
          };
          if (since !== undefined) a = { ...a, state: 'available', registered: true, idleSince: since };
          else if (a.state === 'available') a = { ...a, state: 'reserved' };
          const mine = offers.get(r.agentId)?.filter((t) => t >= asOf) ?? [];
          return mine.length
            ? { ...a, callsHandled: a.callsHandled + mine.length, lastOfferedAt: Math.max(a.lastOfferedAt ?? 0, ...mine) }
            : a;
        };
        const entry = new EntryIndex(view, () => offers.keys());
        let records: AgentLive[] = [];
        let idle: IdleAgent[] = [];
        for (const s of steps) {
          const prev = new Map(records.map((r) => [r.agentId, r]));
          records = s.agents.map((a) => {
            const old = prev.get(a.agentId);
            return old && s.keep[Number(a.agentId.slice(1))] ? old : live(a);
          });
          if (s.newIdleRead) {
            const byId = new Map(s.idle.map(([i, since]) => [`a${i}`, since]));
            idle = [...byId].map(([agentId, idleSince]) => ({ agentId, idleSince }));
          }
          asOf = s.asOf;
          for (const [i, t] of s.offers) {
            const id = `a${i}`;
            offers.set(id, [...(offers.get(id) ?? []), t]);
            entry.touch(id);
          }
          const idleMap = new Map(idle.map((x) => [x.agentId, x.idleSince]));
          const agents = records.map((r) => view(r, idleMap.get(r.agentId)));
          for (const call of s.calls) {
            const want = assign([call], agents, rules, s.now)[0]?.agentId;
            expect(entry.bestAgentFor(call, s.now, { rules, records, idle, asOf })).toBe(want);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
