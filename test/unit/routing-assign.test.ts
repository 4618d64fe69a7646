import { describe, expect, it } from 'vitest';
import { activeStep, assign, nextWideningAt } from '../../src/core/routing/assign.js';
import { isEligible } from '../../src/core/routing/eligibility.js';
import { routingRules, type Agent } from '../../src/core/routing/model.js';
import { T0, agent, call, queue } from '../support/routing-fixtures.js';

const pairs = (r: ReturnType<typeof assign>) => r.map((p) => `${p.callId}:${p.agentId}`);

describe('strategies', () => {
  it('longest_idle takes the agent idle longest, then the smaller agentId', () => {
    const rules = routingRules([queue()]);
    const agents = [agent('b', { idleSince: T0 - 5 }), agent('c', { idleSince: T0 - 9 }), agent('a', { idleSince: T0 - 9 })];
    expect(pairs(assign([call('c1'), call('c2', { enqueuedAt: T0 + 1 })], agents, rules, T0 + 1))).toEqual(['c1:a', 'c2:c']);
  });

  it('most_skilled sums proficiency over the required skills only; ties go to the longest idle', () => {
    const rules = routingRules([queue({ strategy: 'most_skilled' })]);
    const agents = [
      agent('generalist', { skills: { vat: 3, cit: 3, iit: 5, invoice: 5 }, idleSince: T0 - 100 }),
      agent('expert', { skills: { vat: 5, cit: 2 }, idleSince: T0 - 1 }),
      agent('twin', { skills: { vat: 4, cit: 3 }, idleSince: T0 - 50 }),
    ];
    // vat+cit: expert 7, twin 7, generalist 6 -> twin (idle longer than expert).
    expect(pairs(assign([call('c', { skills: { vat: 2, cit: 2 } })], agents, rules, T0))).toEqual(['c:twin']);
    // vat only: expert 5.
    expect(pairs(assign([call('c', { skills: { vat: 1 } })], agents, rules, T0))).toEqual(['c:expert']);
    // No requirement: everyone scores 0 -> longest idle.
    expect(pairs(assign([call('c')], agents, rules, T0))).toEqual(['c:generalist']);
  });

  it('fewest_calls takes the agent with the fewest handled calls, then the longest idle', () => {
    const rules = routingRules([queue({ strategy: 'fewest_calls' })]);
    const agents = [
      agent('busy', { callsHandled: 40, idleSince: T0 - 999 }),
      agent('fresh', { callsHandled: 3, idleSince: T0 - 1 }),
      agent('fresh2', { callsHandled: 3, idleSince: T0 - 2 }),
    ];
    expect(
      pairs(assign([call('c1'), call('c2', { enqueuedAt: T0 + 1 }), call('c3', { enqueuedAt: T0 + 2 })], agents, rules, T0 + 5)),
    ).toEqual(['c1:fresh2', 'c2:fresh', 'c3:busy']);
  });

  it('round_robin offers to whoever was offered least recently; never-offered first; ties by agentId', () => {
    const rules = routingRules([queue({ strategy: 'round_robin' })]);
    const agents = [agent('x', { lastOfferedAt: T0 - 10 }), agent('y', { lastOfferedAt: T0 - 20 }), agent('w'), agent('v')];
    const calls = ['c1', 'c2', 'c3', 'c4'].map((id, i) => call(id, { enqueuedAt: T0 + i }));
    expect(pairs(assign(calls, agents, rules, T0 + 10))).toEqual(['c1:v', 'c2:w', 'c3:y', 'c4:x']);
  });
});

describe('call order and offerability', () => {
  it('serves higher priority first, then first come first served, then callId', () => {
    const rules = routingRules([queue()]);
    const agents = [agent('a1', { idleSince: 1 }), agent('a2', { idleSince: 2 })];
    const calls = [
      call('old-low', { enqueuedAt: T0 - 100_000 }),
      call('new-high', { priority: 5, enqueuedAt: T0 }),
      call('b-mid', { priority: 1, enqueuedAt: T0 - 50 }),
      call('a-mid', { priority: 1, enqueuedAt: T0 - 50 }),
    ];
    expect(pairs(assign(calls, agents, rules, T0))).toEqual(['new-high:a1', 'a-mid:a2']);
  });

  it('never offers to agents who are not available and registered, or who do not serve the queue', () => {
    const rules = routingRules([queue()]);
    const agents: Agent[] = [
      agent('paused', { state: 'paused' }),
      agent('on_call', { state: 'on_call' }),
      agent('reserved', { state: 'reserved' }),
      agent('wrap_up', { state: 'wrap_up' }),
      agent('logged_out', { state: 'logged_out' }),
      agent('unregistered', { registered: false }),
      agent('other-queue', { queues: ['english'] }),
    ];
    expect(assign([call('c')], agents, rules, T0)).toEqual([]);
    expect(pairs(assign([call('c')], [...agents, agent('ok', { idleSince: T0 })], rules, T0))).toEqual(['c:ok']);
  });

  it('skips calls for queues without rules and uses each agent and call once even if duplicated', () => {
    const rules = routingRules([queue()]);
    const agents = [agent('a'), agent('a'), agent('b', { idleSince: T0 })];
    const calls = [
      call('x', { queue: 'nowhere' }),
      call('c'),
      call('c'),
      call('d', { enqueuedAt: T0 + 1 }),
      call('e', { enqueuedAt: T0 + 2 }),
    ];
    expect(pairs(assign(calls, agents, rules, T0 + 5))).toEqual(['c:a', 'd:b']);
  });

  it('never offers a call to an excluded agent, but that agent still serves the next call', () => {
    const rules = routingRules([queue()]);
    const agents = [agent('missed', { idleSince: 1 }), agent('other', { idleSince: 2 })];
    const calls = [call('c1', { excludedAgents: ['missed'] }), call('c2', { enqueuedAt: T0 + 1 })];
    expect(pairs(assign(calls, agents, rules, T0 + 5))).toEqual(['c1:other', 'c2:missed']);
    expect(assign([call('c1', { excludedAgents: ['missed', 'other'] })], agents, rules, T0)).toEqual([]);
  });
});

describe('steps widen with waiting time', () => {
  const rules = routingRules([
    queue({
      steps: [
        { afterS: 0, skills: 'inherit' },
        { afterS: 30, skills: { vat: 2 } },
        { afterS: 90, skills: 'any' },
      ],
    }),
  ]);
  const c = call('c', { skills: { vat: 4 } });

  it('switches step exactly at afterS, not a millisecond before', () => {
    const vat2 = [agent('vat2', { skills: { vat: 2 } })];
    expect(assign([c], vat2, rules, T0 + 29_999)).toEqual([]);
    expect(assign([c], vat2, rules, T0 + 30_000)).toEqual([{ callId: 'c', agentId: 'vat2', step: 1 }]);
    const none = [agent('none')];
    expect(assign([c], none, rules, T0 + 89_999)).toEqual([]);
    expect(assign([c], none, rules, T0 + 90_000)).toEqual([{ callId: 'c', agentId: 'none', step: 2 }]);
    expect(assign([c], [agent('vat4', { skills: { vat: 4 } })], rules, T0)).toEqual([{ callId: 'c', agentId: 'vat4', step: 0 }]);
  });

  it('reports the active step and when the next one starts', () => {
    expect(activeStep(c, rules, T0 + 29_999)).toMatchObject({ index: 0, required: [['vat', 4]], startedAt: T0 });
    expect(activeStep(c, rules, T0 + 30_000)).toMatchObject({ index: 1, required: [['vat', 2]], startedAt: T0 + 30_000 });
    expect(activeStep(c, rules, T0 + 95_000)).toMatchObject({ index: 2, required: [] });
    expect(nextWideningAt(c, rules, T0)).toBe(T0 + 30_000);
    expect(nextWideningAt(c, rules, T0 + 30_000)).toBe(T0 + 90_000);
    expect(nextWideningAt(c, rules, T0 + 90_000)).toBeUndefined();
    expect(activeStep(call('x', { queue: 'nowhere' }), rules, T0)).toBeUndefined();
  });

  it("replaces the requirement at each step instead of merging it with the call's skills", () => {
    const r = routingRules([
      queue({
        steps: [
          { afterS: 0, skills: 'inherit' },
          { afterS: 10, skills: { cit: 1 } },
        ],
      }),
    ]);
    const citOnly = [agent('cit', { skills: { cit: 1 } })];
    expect(pairs(assign([c], citOnly, r, T0 + 10_000))).toEqual(['c:cit']);
  });

  it('turns fractional seconds into exact milliseconds', () => {
    const r = routingRules([
      queue({
        steps: [
          { afterS: 0, skills: { vat: 5 } },
          { afterS: 1.1, skills: 'any' },
        ],
      }),
    ]);
    expect(assign([c], [agent('a')], r, T0 + 1099)).toEqual([]);
    expect(assign([c], [agent('a')], r, T0 + 1100)).toHaveLength(1);
    expect(nextWideningAt(c, r, T0)).toBe(T0 + 1100);
  });

  it('treats a call stamped in the future as not having waited', () => {
    expect(activeStep(call('f', { enqueuedAt: T0 + 5_000 }), rules, T0)).toMatchObject({ index: 0 });
  });
});

describe('preferred agent window', () => {
  const rules = routingRules([queue({ preferredAgentS: 10 })]);
  const other = agent('other', { idleSince: 0 });
  const returning = call('c', { preferredAgentId: 'last' });

  it('offers the call to the last agent even if someone has been idle longer', () => {
    expect(pairs(assign([returning], [other, agent('last', { idleSince: T0 })], rules, T0 + 1))).toEqual(['c:last']);
  });

  it('holds the call for a busy last agent until the window ends, then uses normal rules', () => {
    const agents = [other, agent('last', { state: 'on_call' })];
    expect(assign([returning], agents, rules, T0 + 9_999)).toEqual([]);
    expect(nextWideningAt(returning, rules, T0)).toBe(T0 + 10_000);
    expect(pairs(assign([returning], agents, rules, T0 + 10_000))).toEqual(['c:other']);
    const find = (id: string) => agents.find((a) => a.agentId === id);
    expect(isEligible(other, returning, rules, T0 + 9_999, find)).toBe(false);
    expect(isEligible(other, returning, rules, T0 + 10_000, find)).toBe(true);
  });

  it('does not hold the call when the last agent cannot take it anyway', () => {
    const cases: Agent[] = [
      agent('last', { state: 'logged_out' }),
      agent('last', { state: 'on_call', queues: ['english'] }),
      agent('last', { state: 'on_call', skills: {} }),
    ];
    const needsVat = call('c', { preferredAgentId: 'last', skills: { vat: 1 } });
    const vatOther = agent('other', { skills: { vat: 3 } });
    for (const last of cases) expect(pairs(assign([needsVat], [vatOther, last], rules, T0))).toEqual(['c:other']);
    // Unknown agent id, or the last agent just missed this very call.
    expect(pairs(assign([call('c', { preferredAgentId: 'ghost' })], [other], rules, T0))).toEqual(['c:other']);
    const missed = call('c', { preferredAgentId: 'last', excludedAgents: ['last'] });
    expect(pairs(assign([missed], [other, agent('last', { idleSince: T0 - 1e9 })], rules, T0))).toEqual(['c:other']);
  });

  it('keeps waiting if the last agent was taken by an earlier call in the same round', () => {
    const agents = [other, agent('last', { idleSince: -1 })];
    const first = call('first', { priority: 9 });
    expect(pairs(assign([returning, first], agents, rules, T0 + 1))).toEqual(['first:last']);
  });

  it('has no window when preferredAgentS is 0', () => {
    const r = routingRules([queue({ preferredAgentS: 0 })]);
    expect(pairs(assign([returning], [other, agent('last', { state: 'on_call' })], r, T0))).toEqual(['c:other']);
  });
});
