import { describe, expect, it } from 'vitest';
import { elapsedS } from '../src/pages/wallboard/clock';
import { countByState, mergeAgents, mergeQueues, visibleAgents, type AgentRow, type LiveMessage } from '../src/pages/wallboard/model';

const row = (agentId: string, o: Partial<AgentRow> = {}): AgentRow => ({
  agentId,
  name: `坐席${agentId}`,
  state: 'available',
  registered: true,
  pauseReason: null,
  since: 1_000_000,
  callId: null,
  caller: null,
  callQueue: null,
  queues: ['ntax-vat'],
  ...o,
});

describe('wallboard: one message to the next', () => {
  it('an unchanged agent keeps its object (its memoized row skips render); a changed one gets the new', () => {
    const first = mergeAgents(new Map(), [row('1001'), row('1002')]);
    expect(first.changed).toBe(2);
    // A new message parses into new objects with equal content, but for 1002 which was paused.
    const second = mergeAgents(first.byId, [row('1001'), row('1002', { state: 'paused', pauseReason: 'training', since: 2_000_000 })]);
    expect(second.rows[0]).toBe(first.rows[0]);
    expect(second.rows[1]).not.toBe(first.rows[1]);
    expect(second.rows[1]).toMatchObject({ state: 'paused', pauseReason: 'training' });
    expect(second.changed).toBe(1);
    // Its queues compared by content: a new array with the same queues is no change.
    const third = mergeAgents(second.byId, [row('1001', { queues: ['ntax-vat'] }), { ...second.rows[1]!, queues: ['tax-ent'] }]);
    expect(third.rows[0]).toBe(first.rows[0]);
    expect(third.rows[1]!.queues).toEqual(['tax-ent']);
    // An agent gone from the message is gone from the rows.
    const fourth = mergeAgents(third.byId, [row('1001')]);
    expect(fourth.rows.map((r) => r.agentId)).toEqual(['1001']);
    expect(fourth.changed).toBe(1);
  });

  it('tiles join the queues now with today’s figures, in queue order; an unchanged tile keeps its object', () => {
    const m: LiveMessage = {
      at: '2026-12-07T01:00:00Z',
      queues: [
        { queue: 'tax-ent', waiting: 0, callbacksWaiting: 0, longestWaitS: null, serving: 2 },
        { queue: 'ntax-vat', waiting: 2, callbacksWaiting: 1, longestWaitS: 40, serving: 3 },
      ],
      today: [
        { queue: null, offered: 10, answered: 8, abandoned: 2, serviceLevel: 0.7, abandonRate: 0.2 },
        { queue: 'ntax-vat', offered: 6, answered: 5, abandoned: 1, serviceLevel: 0.8, abandonRate: 1 / 6 },
      ],
      agents: {},
      paused: {},
    };
    const a = mergeQueues(new Map(), m);
    expect(a.views.map((v) => v.queue)).toEqual(['ntax-vat', 'tax-ent']);
    expect(a.views[0]).toEqual({
      queue: 'ntax-vat',
      waiting: 2,
      callbacksWaiting: 1,
      longestWaitS: 40,
      serving: 3,
      offered: 6,
      serviceLevel: 0.8,
      abandonRate: 1 / 6,
    });
    expect(a.views[1]).toMatchObject({ offered: 0, serviceLevel: null, abandonRate: null });
    const b = mergeQueues(a.byQueue, { ...m, queues: [m.queues[0]!, { ...m.queues[1]!, waiting: 3 }] });
    expect(b.views[1]).toBe(a.views[1]);
    expect(b.views[0]).not.toBe(a.views[0]);
    expect(b.views[0]!.waiting).toBe(3);
  });

  it('a configured queue no caller reached yet still has its tile, with the agents serving it counted as the server does', () => {
    const m: LiveMessage = {
      at: '2026-12-07T01:00:00Z',
      queues: [{ queue: 'ntax-vat', waiting: 1, callbacksWaiting: 0, longestWaitS: 3, serving: 1 }],
      agents: {},
      paused: {},
      agentRows: [
        row('1001', { queues: ['finance'] }),
        row('1002', { queues: ['finance'], registered: false }),
        row('1003', { queues: ['finance'], state: 'logged_out' }),
        row('1004', { queues: ['finance'], state: 'paused' }),
      ],
    };
    const v = mergeQueues(new Map(), m, ['ntax-vat', 'finance']);
    expect(v.views.map((x) => [x.queue, x.waiting, x.serving])).toEqual([
      ['finance', 0, 2],
      ['ntax-vat', 1, 1],
    ]);
  });
});

describe('wallboard: which agents, in which order', () => {
  const rows = [
    row('1003', { state: 'paused', since: 500, pauseReason: 'meeting', name: '王芳' }),
    row('1001', { state: 'on_call', since: 900, callQueue: 'tax-ent', queues: ['ntax-vat'], name: '李强' }),
    row('1002', { state: 'paused', since: 100, queues: ['tax-ent'], name: '张伟' }),
    row('1004', { state: 'logged_out', since: 50, name: '赵敏' }),
    row('1005', { state: 'available', since: 700, name: '陈静' }),
  ];
  const all = { state: 'all' as const, queue: '', text: '' };

  it('by state: the states in their order, the longest in a state first', () => {
    expect(visibleAgents(rows, all, 'state').map((r) => r.agentId)).toEqual(['1005', '1001', '1002', '1003', '1004']);
    expect(visibleAgents(rows, all, 'since').map((r) => r.agentId)).toEqual(['1004', '1002', '1003', '1005', '1001']);
    expect(visibleAgents(rows, all, 'agentId').map((r) => r.agentId)).toEqual(['1001', '1002', '1003', '1004', '1005']);
  });

  it('filters by state, by queue (served, or the call’s), by id or name', () => {
    expect(visibleAgents(rows, { ...all, state: 'paused' }, 'agentId').map((r) => r.agentId)).toEqual(['1002', '1003']);
    expect(visibleAgents(rows, { ...all, queue: 'tax-ent' }, 'agentId').map((r) => r.agentId)).toEqual(['1001', '1002']);
    expect(visibleAgents(rows, { ...all, text: '王' }, 'agentId').map((r) => r.agentId)).toEqual(['1003']);
    expect(visibleAgents(rows, { ...all, text: ' 1005 ' }, 'agentId').map((r) => r.agentId)).toEqual(['1005']);
    // The input is left as it was (the page keeps it for the next message).
    expect(rows[0]!.agentId).toBe('1003');
  });

  it('counts agents per state', () => {
    expect(countByState(rows)).toEqual({ available: 1, reserved: 0, on_call: 1, wrap_up: 0, paused: 2, logged_out: 1 });
  });

  it('time in state in whole seconds, never negative (a since just ahead of the clock)', () => {
    expect(elapsedS(1_000_000, 1_075)).toBe(75);
    expect(elapsedS(1_000_999, 1_000)).toBe(0);
    expect(elapsedS(1_002_000, 1_000)).toBe(0);
  });
});
