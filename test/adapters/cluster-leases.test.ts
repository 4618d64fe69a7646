import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { Leases } from '../../src/features/cluster/lease.js';
import { Membership, type Registration } from '../../src/features/cluster/membership.js';
import { Takeover } from '../../src/features/cluster/takeover.js';
import { stasisArgsIn } from '../../src/adapters/ari/stasis-args.js';
import type { AriChannel, AriEvent } from '../../src/adapters/ari/types.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis, a random key prefix per run, cleaned up afterwards.
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const redis = new Redis(requireEnv('REDIS_URL'));
afterAll(async () => {
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
});
const keys = redisKeys(prefix);
const reg = (instance: string): Registration => ({ instance, app: `app-${instance}`, node: 'n1', startedAt: 1, token: `boot-${instance}` });

/** A survivor whose ARI and calls are stand-ins that record what they are asked; Redis is real. */
function survivor(self: string) {
  const moved: string[] = [];
  /** What the survivor's app was subscribed to, and whether the channel had been moved by then. */
  const subscribed: string[] = [];
  /** Stops, moves and the wait for their landing, in order. */
  const media: string[] = [];
  /** Each move's arguments, by channel. */
  const movedWith = new Map<string, string>();
  const reconciled: string[][] = [];
  /** What the takeover did to the shared queue and the list, in order. */
  const steps: string[] = [];
  /** The dead app's stream (a stand-in): its events, as a test hands them in; what reached the calls. */
  const deadApp: { onEvent?: (ev: AriEvent) => void } = {};
  const routed: AriEvent[] = [];
  const takeover = new Takeover({
    redis,
    keys,
    self,
    app: `app-${self}`,
    ari: {
      move: async (ch, _app, args) => void (moved.push(ch), movedWith.set(ch, args ?? ''), media.push(`move ${ch}`)),
      stopPlayback: async (id) => void media.push(`stop ${id}`),
      subscribe: async (source) =>
        void subscribed.push(`${source}${moved.includes(source.replace('channel:', '')) ? ' (after its move)' : ''}`),
      setVar: async () => undefined,
      // What Asterisk holds: the calls' channels, one that entered the dead app with no snapshot
      // written for it, and one in another app.
      listChannels: async () => [
        channel('ch-c1', 'app-d,inbound,12366'),
        channel('ch-unsaved', 'app-d,inbound,12366'),
        channel('ch-elsewhere', 'app-x,inbound,12366'),
      ],
    },
    // The dead app's stream: a stand-in (the e2e test opens a real one).
    streamFor: (_app, onEvent) => {
      deadApp.onEvent = onEvent;
      return { start: () => undefined, stop: async () => undefined, waitConnected: async () => undefined };
    },
    route: (ev) => void routed.push(ev),
    sessions: {
      many: async <T>(ids: readonly string[]) =>
        new Map(
          ids.map((id) => [
            id,
            // c1 hears an IVR prompt, c2 talks to an agent, c3 waits and hears its place.
            (id === 'c1'
              ? { callId: id, channelId: `ch-${id}`, phase: 'ivr', ivr: { phase: 'playing', playbackId: 'pb-c1' } }
              : id === 'c2'
                ? { callId: id, channelId: `ch-${id}`, phase: 'bridged', ivr: { phase: 'done' }, offer: { legId: 'leg-c2' } }
                : { callId: id, channelId: `ch-${id}`, phase: 'queued', ivr: { phase: 'done' }, announce: { playbackId: 'pb-c3' } }) as T,
          ]),
        ),
    },
    calls: {
      restore: async () => 0,
      reconcile: (_c, only) => void (reconciled.push([...(only ?? [])].sort()), media.push('resume')),
    },
    arrivals: {
      expect: (ids) => ({
        forget: () => undefined,
        within: async () => (media.push(`landed ${[...ids].sort().join(' ')}`), []),
      }),
    },
    queues: { setOwner: async (callId, owner) => (steps.push(`own ${callId} ${owner}`), true) },
    forget: async (i) => void steps.push(`forget ${i}`),
    log: pino({ level: 'silent' }),
    holdDeadAppMs: 10,
  });
  return { takeover, moved, movedWith, subscribed, media, reconciled, steps, deadApp, routed };
}
const channel = (id: string, appData: string): AriChannel => ({
  id,
  name: `PJSIP/trunk-${id}`,
  state: 'Up',
  caller: { name: '', number: '057100000000' },
  connected: { name: '', number: '' },
  dialplan: { context: 'tax12366-stasis', exten: 's', priority: 7, app_name: 'Stasis', app_data: appData },
  creationtime: '2026-12-08T00:00:00.000+0000',
});

describe('cluster leases and takeover (Redis)', () => {
  it('a singleton lease is held by one instance at a time, and taken over once it lapses', async () => {
    const a = new Leases(redis, keys, 'a');
    const b = new Leases(redis, keys, 'b');
    let runs = 0;
    const results = await Promise.all([a.runIfHeld('job', 300, async () => void runs++), b.runIfHeld('job', 300, async () => void runs++)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(runs).toBe(1);
    const holder = results[0] ? a : b;
    const other = results[0] ? b : a;
    expect(await holder.runIfHeld('job', 300, async () => undefined)).toBe(true);
    expect(await other.runIfHeld('job', 300, async () => undefined)).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(await other.runIfHeld('job', 300, async () => undefined)).toBe(true);
    await other.releaseAll();
    expect(await redis.exists(keys.lease('job'))).toBe(0);
  });

  it("a dead instance's calls are taken by exactly one survivor, its boot fenced, its snapshots re-owned in one step", async () => {
    const dead = new Membership(redis, keys, reg('d'), 200);
    expect(await dead.beat(Date.now())).toBe(true);
    await redis.sadd(keys.sessions('d'), 'c1', 'c2', 'c3');
    const s1 = survivor('s1');
    const s2 = survivor('s2');
    // Alive: nobody may take it.
    expect(await s1.takeover.run('d')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    const [r1, r2] = await Promise.all([s1.takeover.run('d'), s2.takeover.run('d')]);
    const won = r1 ? s1 : s2;
    expect([r1, r2].filter(Boolean)).toHaveLength(1);
    expect((r1 ?? r2)!.calls).toBe(3);
    const winner = r1 ? 's1' : 's2';
    expect((await redis.smembers(keys.sessions(winner))).sort()).toEqual(['c1', 'c2', 'c3']);
    expect(await redis.exists(keys.sessions('d'))).toBe(0);
    // The calls' channels, and nothing else: a listing's app is where a channel entered, not where a
    // move took it, so a channel the dead app's listing shows may be another call's already.
    expect(won.moved.sort()).toEqual(['ch-c1', 'ch-c2', 'ch-c3', 'leg-c2']);
    expect(Object.fromEntries(won.movedWith)).toEqual({ 'ch-c1': 'moved', 'ch-c2': 'moved', 'ch-c3': 'moved', 'leg-c2': 'moved' });
    // Each heard by the survivor's app before its move, which waits behind the channel's prompts in Asterisk.
    expect(won.subscribed.sort()).toEqual(['channel:ch-c1', 'channel:ch-c2', 'channel:ch-c3', 'channel:leg-c2']);
    expect(won.reconciled).toEqual([['c1', 'c2', 'c3']]);
    // The IVR prompt the resumed call replaces is stopped before the moves, and the calls resume once
    // the moves landed: Asterisk would run either queued ahead of a move first.
    expect(won.media[0]).toBe('stop pb-c1');
    // c3's move waits for the announcement it still waits for, and nothing of its own behind it: not waited for.
    expect(won.media.slice(-2)).toEqual(['landed ch-c1 ch-c2 leg-c2', 'resume']);
    // Waiting calls' entries are the survivor's before the dead instance leaves the list: never
    // an entry whose owner is gone for good, which dispatch would skip (its agent to a later caller).
    expect(won.steps.slice(-1)).toEqual(['forget d']);
    expect(won.steps.slice(0, -1).sort()).toEqual([`own c1 ${winner}`, `own c2 ${winner}`, `own c3 ${winner}`]);
    // The dead boot, should it wake up, is told to stop; a new boot under the same name is not.
    expect(await dead.beat(Date.now())).toBe(false);

    // An agent's leg answered as the takeover ran enters the dead app: moved already, it is not
    // moved again (into the app it is in: its StasisEnd would read as the agent hanging up); its
    // StasisStart goes to the calls, so the answer counts. A new caller entering it is moved in.
    const start = (id: string, args: string[]) =>
      ({ type: 'StasisStart', application: 'app-d', args, channel: channel(id, `app-d,${args.join(',')}`) }) as AriEvent;
    won.deadApp.onEvent!(start('leg-c2', ['agent', 'c2']));
    won.deadApp.onEvent!(start('ch-new', ['inbound', '12366']));
    await new Promise((r) => setTimeout(r, 20));
    expect(won.moved.filter((c) => c === 'leg-c2')).toHaveLength(1);
    expect(won.routed.map((e) => (e.type === 'StasisStart' ? `${e.channel.id} ${e.args.join(',')}` : e.type))).toEqual(['leg-c2 agent,c2']);
    expect(won.movedWith.get('ch-new')).toBe('inbound,12366');
    const reborn = new Membership(redis, keys, { ...reg('d'), token: 'boot-d-2' }, 200);
    expect(await reborn.beat(Date.now())).toBe(true);
    expect((await reborn.members()).find((m) => m.instance === 'd')).toMatchObject({ alive: true, calls: 0 });
  });

  it("reads a channel's Stasis arguments only for the app named", () => {
    expect(stasisArgsIn(channel('a', 'app-d,inbound,12366'), 'app-d')).toBe('inbound,12366');
    expect(stasisArgsIn(channel('a', 'app-d'), 'app-d')).toBe('');
    // A longer app name that starts the same is another app.
    expect(stasisArgsIn(channel('a', 'app-d2,inbound'), 'app-d')).toBeUndefined();
    expect(
      stasisArgsIn(
        { ...channel('a', 'app-d,inbound'), dialplan: { context: 'c', exten: 's', priority: 1, app_name: 'Dial', app_data: 'app-d,x' } },
        'app-d',
      ),
    ).toBeUndefined();
  });
});
