import { describe, expect, it } from 'vitest';
import { routingRules, type Agent, type QueueRules, type WaitingCall } from '../../src/core/routing/model.js';
import { RoutingIndex } from '../../src/core/routing/routing-index.js';
import { T0, agent, call, queue } from '../support/routing-fixtures.js';

function indexOf(q: Partial<QueueRules>, agents: Agent[], calls: WaitingCall[] = []): RoutingIndex {
  const index = new RoutingIndex(routingRules([queue(q)]));
  for (const a of agents) index.upsertAgent(a);
  for (const c of calls) index.addCall(c);
  return index;
}

const agentFor = (index: RoutingIndex, c: WaitingCall, now = T0) => index.bestAgentFor(c, now)?.agentId;
const callFor = (index: RoutingIndex, id: string, now = T0) => index.bestCallFor(id, now)?.callId;

describe('routing index: strategy orders and their tie-breaks', () => {
  it('longest_idle: smallest idleSince, then the smaller agentId', () => {
    const index = indexOf({}, [agent('b', { idleSince: T0 - 9 }), agent('c', { idleSince: T0 - 5 }), agent('a', { idleSince: T0 - 9 })]);
    expect(agentFor(index, call('c1'))).toBe('a');
    index.removeAgent('a');
    expect(agentFor(index, call('c1'))).toBe('b');
  });

  it('fewest_calls: fewest handled, then longest idle, then agentId', () => {
    const index = indexOf({ strategy: 'fewest_calls' }, [
      agent('busy', { callsHandled: 40, idleSince: T0 - 999 }),
      agent('fresh', { callsHandled: 3, idleSince: T0 - 1 }),
      agent('fresh2', { callsHandled: 3, idleSince: T0 - 2 }),
      agent('fresh1', { callsHandled: 3, idleSince: T0 - 2 }),
    ]);
    expect(agentFor(index, call('c'))).toBe('fresh1');
  });

  it('round_robin: never offered first, then least recently offered; ties by agentId, idle time plays no part', () => {
    const index = indexOf({ strategy: 'round_robin' }, [
      agent('x', { lastOfferedAt: T0 - 10 }),
      agent('y', { lastOfferedAt: T0 - 10, idleSince: T0 - 999_999 }),
      agent('w', { idleSince: T0 - 5 }),
      agent('v', { idleSince: T0 - 1 }),
    ]);
    expect(agentFor(index, call('c'))).toBe('v');
    index.upsertAgent(agent('v', { lastOfferedAt: T0, idleSince: T0 - 1 }));
    index.upsertAgent(agent('w', { lastOfferedAt: T0, idleSince: T0 - 5 }));
    expect(agentFor(index, call('c'))).toBe('x');
  });

  it('most_skilled: sum of the required proficiencies only; equal sums go to the longest idle', () => {
    const index = indexOf({ strategy: 'most_skilled' }, [
      agent('generalist', { skills: { vat: 3, cit: 3, iit: 5, invoice: 5 }, idleSince: T0 - 100 }),
      agent('expert', { skills: { vat: 5, cit: 2 }, idleSince: T0 - 1 }),
      agent('twin', { skills: { vat: 4, cit: 3 }, idleSince: T0 - 50 }),
    ]);
    expect(agentFor(index, call('c', { skills: { vat: 2, cit: 2 } }))).toBe('twin'); // 7 = 7 > 6
    expect(agentFor(index, call('c', { skills: { vat: 1 } }))).toBe('expert');
    expect(agentFor(index, call('c'))).toBe('generalist'); // nothing required: all score 0
    expect(agentFor(index, call('c', { skills: { cit: 3 } }))).toBe('generalist'); // level 3 tie: idle longer than twin
  });
});

describe('routing index: who may take a call', () => {
  it('"at least" a minimum: a higher level qualifies, a lower one does not, across levels in strategy order', () => {
    const index = indexOf({}, [
      agent('low', { skills: { vat: 1 }, idleSince: T0 - 900 }),
      agent('high', { skills: { vat: 5 }, idleSince: T0 - 10 }),
      agent('mid', { skills: { vat: 3 }, idleSince: T0 - 20 }),
    ]);
    expect(agentFor(index, call('c', { skills: { vat: 2 } }))).toBe('mid');
    expect(agentFor(index, call('c', { skills: { vat: 4 } }))).toBe('high');
    expect(agentFor(index, call('c', { skills: { vat: 4, cit: 1 } }))).toBeUndefined();
  });

  it('skips excluded agents and agents no longer offerable', () => {
    const index = indexOf({}, [agent('a', { idleSince: 1 }), agent('b', { idleSince: 2 }), agent('c', { idleSince: 3 })]);
    expect(agentFor(index, call('x', { excludedAgents: ['a'] }))).toBe('b');
    index.upsertAgent(agent('b', { idleSince: 2, state: 'paused' }));
    index.upsertAgent(agent('c', { idleSince: 3, registered: false }));
    expect(agentFor(index, call('x', { excludedAgents: ['a'] }))).toBeUndefined();
  });

  it('widens by wait: the step in force at `now` decides (explicit object, then any)', () => {
    const steps: QueueRules['steps'] = [
      { afterS: 0, skills: 'inherit' },
      { afterS: 30, skills: { cit: 1 } },
      { afterS: 60, skills: 'any' },
    ];
    const index = indexOf({ steps }, [agent('citizen', { skills: { cit: 2 } }), agent('plain', { idleSince: T0 - 999_999 })]);
    const c = call('c', { skills: { vat: 5 } });
    expect(index.bestAgentFor(c, T0 + 29_999)).toBeUndefined();
    expect(index.bestAgentFor(c, T0 + 30_000)).toEqual({ callId: 'c', agentId: 'citizen', step: 1 });
    expect(index.bestAgentFor(c, T0 + 60_000)).toEqual({ callId: 'c', agentId: 'plain', step: 2 });
  });

  it('holds a returning caller for a busy preferred agent during the window, then lets anyone take it', () => {
    const index = indexOf({ preferredAgentS: 10 }, [agent('mine', { state: 'on_call' }), agent('other')]);
    const c = call('c', { preferredAgentId: 'mine' });
    index.addCall(c);
    expect(agentFor(index, c, T0 + 9_999)).toBeUndefined();
    expect(callFor(index, 'other', T0 + 9_999)).toBeUndefined();
    expect(agentFor(index, c, T0 + 10_000)).toBe('other');
    // The preferred agent free again takes it inside the window; logged out, the hold ends at once.
    index.upsertAgent(agent('mine'));
    expect(agentFor(index, c, T0 + 1)).toBe('mine');
    expect(callFor(index, 'mine', T0 + 1)).toBe('c');
    index.upsertAgent(agent('mine', { state: 'logged_out' }));
    expect(index.callsPreferring('mine').map((x) => x.callId)).toEqual(['c']);
    expect(agentFor(index, c, T0 + 1)).toBe('other');
  });
});

describe('routing index: a freed agent takes the first waiting call it may take', () => {
  it('priority first, then longest waiting, then callId; across the queues it serves', () => {
    const index = new RoutingIndex(routingRules([queue(), queue({ queue: 'q2' })]));
    index.upsertAgent(agent('a', { queues: ['q', 'q2'], skills: { vat: 1 } }));
    index.addCall(call('old', { enqueuedAt: T0 - 100 }));
    index.addCall(call('b-high', { priority: 2, queue: 'q2' }));
    index.addCall(call('a-high', { priority: 2, queue: 'q2' }));
    index.addCall(call('too-hard', { priority: 9, skills: { vat: 2 } }));
    index.addCall(call('excluding', { priority: 9, excludedAgents: ['a'] }));
    expect(index.bestCallFor('a', T0)).toEqual({ callId: 'a-high', agentId: 'a', step: 0 });
    index.removeCall('a-high');
    index.removeCall('b-high');
    expect(callFor(index, 'a')).toBe('old');
    index.removeCall('old');
    expect(callFor(index, 'a')).toBeUndefined();
  });

  it('asks nothing of an agent that is unknown or not offerable', () => {
    const index = indexOf({}, [agent('p', { state: 'paused' })], [call('c')]);
    expect(callFor(index, 'p')).toBeUndefined();
    expect(callFor(index, 'ghost')).toBeUndefined();
  });
});
