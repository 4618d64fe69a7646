import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AsteriskSync, onDeviceState } from '../../src/features/agents/asterisk-sync.js';
import { Backoff } from '../../src/shared/backoff.js';
import type { AriChannel } from '../../src/adapters/ari/types.js';

const silent = pino({ level: 'silent' });
const tick = () => new Promise((r) => setTimeout(r, 20));

class FakeStream extends EventEmitter {
  connected = false;
  stopped = false;
  start() {
    this.connect();
  }
  connect() {
    this.connected = true;
    this.emit('connected');
  }
  drop() {
    this.connected = false;
  }
  async waitConnected() {}
  async stop() {
    this.stopped = true;
    this.connected = false;
  }
}

function setup(o: { testAgent?: boolean; failSyncs?: number; failFilters?: number } = {}) {
  const steps: string[] = [];
  const stream = new FakeStream();
  let syncFailures = o.failSyncs ?? 0;
  let filterFailures = o.failFilters ?? 0;
  const saved: unknown[] = [];
  const sync = new AsteriskSync({
    stream,
    ari: {
      allowEvents: async (types) => {
        steps.push(`filter ${types.join(',')}`);
        if (filterFailures > 0 && filterFailures--) throw new Error('ARI busy');
        return { events_allowed: types.map((type) => ({ type })) };
      },
      listChannels: async () => [{ id: 'ch1' } as AriChannel],
    },
    eventTypes: () => ['StasisStart', 'DeviceStateChanged'],
    agents: {
      syncWithAsterisk: async () => {
        steps.push('push agents');
        if (syncFailures > 0 && syncFailures--) throw new Error('Asterisk restarting');
      },
      save: async (a) => (saved.push(a), { created: true, agent: {} as never }),
      move: async (id, move) => (steps.push(`${move} ${id}`), true),
      unfollowPhones: async () => void steps.push('unfollow phones'),
    },
    calls: { reconcile: (chs) => void steps.push(`reconcile ${chs.map((c) => c.id).join(',')}`) },
    ...(o.testAgent ? { testAgent: { id: '1001', password: 'pw' } } : {}),
    activeRouting: async () => ({ config: { skills: [{ code: 'vat' }, { code: 'it' }], queues: [{ queue: 'general' }] } as never }),
    kick: () => void steps.push('kick'),
    log: silent,
    backoff: () => new Backoff({ minMs: 1, maxMs: 1 }),
  });
  return { sync, stream, steps, saved };
}

describe('AsteriskSync', () => {
  it('at each connection: asks only for the events features read, reconciles calls, pushes agents, then kicks', async () => {
    const { sync, stream, steps } = setup();
    await sync.start();
    await tick();
    expect(steps).toEqual(
      expect.arrayContaining(['filter StasisStart,DeviceStateChanged,ApplicationReplaced', 'reconcile ch1', 'push agents', 'kick']),
    );
    expect(steps.indexOf('kick')).toBeGreaterThan(steps.indexOf('push agents'));
    steps.length = 0;
    stream.drop();
    stream.connect();
    await tick();
    expect(steps).toHaveLength(4);
  });

  it('sets up and logs in the test agent with every skill and queue when it has a password', async () => {
    const { sync, steps, saved } = setup({ testAgent: true });
    await sync.start();
    await tick();
    expect(saved).toEqual([{ agentId: '1001', name: '测试坐席 1001', password: 'pw', skills: { vat: 5, it: 5 }, queues: ['general'] }]);
    expect(steps.indexOf('login 1001')).toBeLessThan(steps.indexOf('kick'));
  });

  it('retries what failed until it is done', async () => {
    const { sync, steps } = setup({ failSyncs: 2, failFilters: 1 });
    await sync.start();
    await tick();
    expect(steps.filter((s) => s === 'push agents')).toHaveLength(3);
    expect(steps.filter((s) => s.startsWith('filter'))).toHaveLength(2);
    expect(steps.filter((s) => s === 'kick')).toHaveLength(1);
  });

  it('at stop: waits for the sync, unfollows phones, then closes the stream', async () => {
    const { sync, stream, steps } = setup();
    await sync.start();
    sync.halt();
    await sync.stop();
    expect(steps.slice(-2)).toEqual(['kick', 'unfollow phones']);
    expect(stream.stopped).toBe(true);
  });

  it('halted, a sync still retrying gives up; phones are not unfollowed once the stream is gone', async () => {
    const { sync, stream, steps } = setup({ failSyncs: 1000 });
    await sync.start();
    await tick();
    sync.halt();
    stream.drop();
    await sync.stop();
    const pushes = steps.filter((s) => s === 'push agents').length;
    await tick();
    expect(steps.filter((s) => s === 'push agents')).toHaveLength(pushes);
    expect(steps).not.toContain('kick');
    expect(steps).not.toContain('unfollow phones');
  });
});

describe('onDeviceState', () => {
  it("hands a phone's registration to its agent", async () => {
    const seen: Array<[string, boolean]> = [];
    const handle = onDeviceState({ deviceState: async (id, reachable) => void seen.push([id, reachable]) }, silent);
    handle({ type: 'DeviceStateChanged', device_state: { name: 'PJSIP/1001', state: 'NOT_INUSE' } } as never);
    handle({ type: 'DeviceStateChanged', device_state: { name: 'PJSIP/1002', state: 'UNAVAILABLE' } } as never);
    expect(seen).toEqual([
      ['1001', true],
      ['1002', false],
    ]);
  });
});
