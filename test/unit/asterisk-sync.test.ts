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
  /** The connection closed under us, as AriEventStream reports it. */
  lose() {
    this.connected = false;
    this.emit('disconnected');
  }
  async waitConnected() {}
  async stop() {
    this.stopped = true;
    this.connected = false;
  }
}

function setup(o: { testAgent?: boolean; failSyncs?: number; failFilters?: number; lastStart?: Map<string, string> } = {}) {
  const steps: string[] = [];
  const stream = new FakeStream();
  let syncFailures = o.failSyncs ?? 0;
  let filterFailures = o.failFilters ?? 0;
  const saved: unknown[] = [];
  /** Asterisk's start time as ARI reports it: changed by a test to play a restart. */
  const asterisk = { startedAt: '2026-12-07T08:00:00.000+0000', answers: true, probes: 0 };
  const sync = new AsteriskSync({
    stream,
    ari: {
      allowEvents: async (types) => {
        steps.push(`filter ${types.join(',')}`);
        if (filterFailures > 0 && filterFailures--) throw new Error('ARI busy');
        return { events_allowed: types.map((type) => ({ type })) };
      },
      listChannels: async () => [{ id: 'ch1' } as AriChannel],
      startedAt: async () => {
        asterisk.probes++;
        if (!asterisk.answers) throw new Error('connect ECONNREFUSED 127.0.0.1:8088');
        return asterisk.startedAt;
      },
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
    calls: { reconcile: (chs, _only, cut) => void steps.push(`reconcile ${chs.map((c) => c.id).join(',')}${cut ? ` cut:${cut}` : ''}`) },
    ...(o.testAgent ? { testAgent: { id: '1001', password: 'pw' } } : {}),
    activeRouting: async () => ({ config: { skills: [{ code: 'vat' }, { code: 'it' }], queues: [{ queue: 'general' }] } as never }),
    kick: () => void steps.push('kick'),
    log: silent,
    backoff: () => new Backoff({ minMs: 1, maxMs: 1 }),
    lostAfterMs: 60,
    probeEveryMs: 5,
    ...(o.lastStart
      ? {
          lastStart: {
            read: async () => o.lastStart!.get('i1'),
            write: async (v: string) => void o.lastStart!.set('i1', v),
          },
        }
      : {}),
  });
  return { sync, stream, steps, saved, asterisk };
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

  it('a reconnection to an Asterisk that started again meanwhile reconciles its calls as cut by the restart; a mere reconnection does not', async () => {
    const { sync, stream, steps, asterisk } = setup();
    await sync.start();
    await tick();
    expect(steps).toContain('reconcile ch1');
    steps.length = 0;
    stream.drop();
    stream.connect();
    await tick();
    expect(steps).toContain('reconcile ch1');
    steps.length = 0;
    stream.drop();
    asterisk.startedAt = '2026-12-07T09:30:00.000+0000';
    stream.connect();
    await tick();
    expect(steps).toContain('reconcile ch1 cut:asterisk_restarted');
    await sync.stop();
  });

  it('an Asterisk silent for lostAfterMs after the stream went: its calls are recorded as lost, once, without waiting for it to come back', async () => {
    const { sync, stream, steps, asterisk } = setup();
    await sync.start();
    await tick();
    steps.length = 0;
    asterisk.answers = false;
    stream.lose();
    // The stream may report its loss again (each drop of a reconnection): still one loss.
    stream.lose();
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(steps).toEqual(['reconcile  cut:asterisk_lost']);
    // Probing stops once the loss is recorded.
    const probes = asterisk.probes;
    await new Promise((r) => setTimeout(r, 30));
    expect(asterisk.probes).toBe(probes);
    sync.halt();
    await sync.stop();
  });

  it('a stream gone while Asterisk still answers, or back within lostAfterMs: no call is recorded as lost', async () => {
    const { sync, stream, steps, asterisk } = setup();
    await sync.start();
    await tick();
    steps.length = 0;
    // Answering requests: alive, its channels too; only the events are not coming through.
    stream.lose();
    await new Promise((r) => setTimeout(r, 150));
    expect(asterisk.probes).toBeGreaterThan(5);
    expect(steps).toEqual([]);
    // Silent, then back before the limit: the reconnection reconciles, nothing else.
    stream.connect();
    await tick();
    steps.length = 0;
    asterisk.answers = false;
    stream.lose();
    await new Promise((r) => setTimeout(r, 25));
    asterisk.answers = true;
    stream.connect();
    await new Promise((r) => setTimeout(r, 120));
    expect(steps.filter((x) => x.includes('asterisk_lost'))).toEqual([]);
    expect(steps).toContain('reconcile ch1');
    sync.halt();
    await sync.stop();
  });

  it('an instance restarted together with Asterisk still tells the cut calls, by the start time it stored', async () => {
    const stored = new Map<string, string>();
    const first = setup({ lastStart: stored });
    await first.sync.start();
    await tick();
    expect(stored.get('i1')).toBe('2026-12-07T08:00:00.000+0000');
    first.sync.halt();
    await first.sync.stop();
    // A new process (nothing in memory); Asterisk started again meanwhile.
    const second = setup({ lastStart: stored });
    second.asterisk.startedAt = '2026-12-07T09:30:00.000+0000';
    await second.sync.start();
    await tick();
    expect(second.steps).toContain('reconcile ch1 cut:asterisk_restarted');
    expect(stored.get('i1')).toBe('2026-12-07T09:30:00.000+0000');
    // The same Asterisk at the next start: nothing was cut by a restart.
    const third = setup({ lastStart: stored });
    third.asterisk.startedAt = '2026-12-07T09:30:00.000+0000';
    await third.sync.start();
    await tick();
    expect(third.steps).toContain('reconcile ch1');
    expect(third.steps.filter((x) => x.includes('cut:'))).toEqual([]);
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
    expect(steps.at(-1)).toBe('unfollow phones');
    expect(steps.indexOf('kick')).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('kick')).toBeLessThan(steps.indexOf('unfollow phones'));
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
