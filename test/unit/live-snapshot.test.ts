import { describe, expect, it } from 'vitest';
import type { AgentLive } from '../../src/features/agents/agent-live-store.js';
import { liveSnapshot, type CallFacts } from '../../src/features/live/snapshot.js';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const agent = (agentId: string, o: Partial<AgentLive> & { queues?: string[] } = {}): AgentLive => ({
  agentId,
  state: 'available',
  registered: true,
  since: T0 - 5000,
  profile: { name: `坐席${agentId}`, skills: {}, queues: o.queues ?? ['ntax-vat'] },
  callsHandled: 0,
  misses: 0,
  ...o,
});
const queues = {
  queues: async () => ['ntax-vat', 'tax-ent'],
  waitingDetails: async (q: string) =>
    q === 'ntax-vat' ? ([{ kind: 'caller', enqueuedAt: T0 - 30_000 }] as unknown as Awaited<ReturnType<never>>[]) : [],
} as unknown as Parameters<typeof liveSnapshot>[0];

describe('live snapshot: agents one by one', () => {
  const list: AgentLive[] = [
    agent('1001'),
    agent('1002', { state: 'paused', pauseReason: 'training', queues: ['ntax-vat', 'tax-ent'] }),
    agent('1003', { state: 'on_call', callId: 'call-a', since: T0 - 60_000 }),
    agent('1004', { state: 'logged_out', callId: 'old-call' }),
    // Logged in but its phone is not registered: not counted as serving.
    agent('1005', { registered: false }),
    // A paused agent keeps no call: an old call id is not its current call.
    agent('1006', { state: 'paused', callId: 'old-call', pauseReason: 'meeting', queues: ['tax-ent'] }),
  ];
  const facts = async (ids: string[]) => {
    asked.push(...ids);
    return new Map<string, CallFacts>([['call-a', { caller: '057185187424', route: { queue: 'ntax-vat' } }]]);
  };
  let asked: string[] = [];

  it('one row per agent with state, pause reason, since and the current call; counts kept as before', async () => {
    asked = [];
    const s = await liveSnapshot(queues, list, T0, facts);
    expect(asked).toEqual(['call-a']);
    expect(s.agentRows.map((r) => r.agentId)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006']);
    expect(s.agentRows[1]).toEqual({
      agentId: '1002',
      name: '坐席1002',
      state: 'paused',
      registered: true,
      pauseReason: 'training',
      since: T0 - 5000,
      callId: null,
      caller: null,
      callQueue: null,
      queues: ['ntax-vat', 'tax-ent'],
    });
    expect(s.agentRows[2]).toMatchObject({
      state: 'on_call',
      callId: 'call-a',
      caller: '057185187424',
      callQueue: 'ntax-vat',
      since: T0 - 60_000,
    });
    expect(s.agentRows[3]).toMatchObject({ state: 'logged_out', callId: null, pauseReason: null });
    expect(s.agentRows[4]).toMatchObject({ state: 'available', registered: false });
    expect(s.agentRows[5]).toMatchObject({ state: 'paused', callId: null, pauseReason: 'meeting' });
    expect(s.agents).toEqual({ logged_out: 1, available: 2, reserved: 0, on_call: 1, wrap_up: 0, paused: 2 });
    expect(s.paused).toEqual({ training: 1, meeting: 1 });
  });

  it('per queue, the agents serving it: logged in, phone registered, the queue theirs', async () => {
    const s = await liveSnapshot(queues, list, T0, facts);
    expect(s.queues).toEqual([
      { queue: 'ntax-vat', waiting: 1, callbacksWaiting: 0, longestWaitS: 30, serving: 3 },
      { queue: 'tax-ent', waiting: 0, callbacksWaiting: 0, longestWaitS: null, serving: 2 },
    ]);
  });

  it('a failed read of the calls still gives every row, without the caller', async () => {
    const s = await liveSnapshot(queues, list, T0, async () => {
      throw new Error('redis away');
    });
    expect(s.agentRows[2]).toMatchObject({ callId: 'call-a', caller: null, callQueue: null });
  });
});
