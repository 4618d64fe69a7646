import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { AgentLiveStore } from '../../src/features/agents/agent-live-store.js';
import { QueueStore, type WaitingDetails } from '../../src/features/routing/queue-store.js';
import { routingRules, type QueueRules } from '../../src/core/routing/model.js';
import { Dispatcher } from '../../src/features/routing/dispatcher.js';
import { AgentMirror } from '../../src/features/agents/agent-mirror.js';
import type { RoutingCatalog } from '../../src/features/routing/catalog.js';
import { queueScore } from '../../src/features/calls/queue-score.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis under a random prefix per test; only the routing catalog (Postgres) is stood in for.
const redis = new Redis(requireEnv('REDIS_URL'));
const prefixes: string[] = [];
const dispatchers: Dispatcher[] = [];
afterEach(() => {
  for (const d of dispatchers.splice(0)) d.stop();
});
afterAll(async () => {
  for (const p of prefixes) await unlinkPrefix(redis, p);
  redis.disconnect();
});

function queue(over: Partial<QueueRules> = {}): QueueRules {
  return {
    queue: 'q',
    strategy: 'longest_idle',
    preferredAgentS: 10,
    steps: [{ afterS: 0, skills: 'inherit' }],
    wrapUpS: 0,
    ringTimeoutS: 20,
    noAnswerPauseAfter: 0,
    ...over,
  };
}

/** The live state the dispatcher works on: agents and waiting queues, on one connection. */
interface Stores {
  agents: AgentLiveStore;
  queues: QueueStore;
}

function stores(conn: Redis, prefix: string): Stores {
  return { agents: new AgentLiveStore(conn, redisKeys(prefix)), queues: new QueueStore(conn, redisKeys(prefix)) };
}

interface Rig extends Stores {
  dispatcher: Dispatcher;
  delivered: Array<[string, string]>;
  /** Calls a queue rule fired for (turned away, overflowed, ...). */
  expired: string[];
  /** Resolves with the next delivery. */
  next: () => Promise<[string, string]>;
}

function rig(given?: Stores, rules = routingRules([queue()]), now = () => Date.now(), mediaUp?: () => boolean): Rig {
  const prefix = `t12disp:${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  const store = given ?? stores(redis, prefix);
  const delivered: Array<[string, string]> = [];
  const expired: string[] = [];
  const waiters: Array<(x: [string, string]) => void> = [];
  const log = pino({ level: 'silent' });
  const dispatcher = new Dispatcher({
    queues: store.queues,
    liveAgents: store.agents,
    agents: new AgentMirror({ liveAgents: store.agents, now, log }),
    routing: { active: async () => ({ rules }), cached: { rules } } as unknown as RoutingCatalog,
    owner: 'i1',
    now,
    log,
    deliver: (c, a) => {
      delivered.push([c, a]);
      waiters.shift()?.([c, a]);
    },
    expire: (c) => void expired.push(c),
    callBack: async () => undefined,
    ...(mediaUp ? { mediaUp } : {}),
  });
  dispatchers.push(dispatcher);
  return { ...store, dispatcher, delivered, expired, next: () => new Promise((r) => waiters.push(r)) };
}

async function idleAgent(agents: AgentLiveStore, id: string, at: number, skills: Record<string, number> = {}): Promise<void> {
  await agents.setProfile(id, { name: id, skills, queues: ['q'] });
  await agents.setRegistered(id, true, at);
  await agents.moveAgent(id, 'login', at);
}

async function enqueue(queues: QueueStore, callId: string, over: Partial<WaitingDetails> = {}): Promise<void> {
  const d = {
    callId,
    queue: 'q',
    skills: {},
    priority: 0,
    enqueuedAt: Date.now(),
    caller: '057100000001',
    excludedAgents: [],
    owner: 'i1',
    ...over,
  };
  await queues.enqueue(d, queueScore(d.priority, d.enqueuedAt));
}

/** A delivery within `ms`, or the dispatcher waited (no safety net runs in these tests). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`nothing delivered within ${ms} ms`)), ms))]);
}

describe('dispatcher against real Redis', () => {
  it('an agent claimed since the agent snapshot was read is not offered: the call goes to an idle one in the same round', async () => {
    const r = rig();
    await idleAgent(r.agents, 'a1', 1_000);
    await idleAgent(r.agents, 'a2', 2_000);
    // A first round reads the snapshot while both are idle.
    await enqueue(r.queues, 'warm');
    const first = r.next();
    r.dispatcher.kick();
    expect(await within(first, 1000)).toEqual(['warm', 'a1']);
    // a1 is still "available" in the snapshot; another instance put it back and took it again.
    await r.agents.moveAgent('a1', 'unreserve', 3_000);
    await enqueue(r.queues, 'other-instance', { owner: 'i2' });
    expect(await r.queues.claim('q', 'other-instance', 'a1', 3_001)).toBe(true);
    await enqueue(r.queues, 'c1');
    const second = r.next();
    r.dispatcher.kick();
    expect(await within(second, 1000)).toEqual(['c1', 'a2']);
  });

  it('a queue is judged unstaffed on agents read since the round began: an agent who logged in a moment ago, paused, keeps the caller', async () => {
    const r = rig();
    // Nobody is logged in: the first caller is turned away, and the round leaves a copy of no agents.
    await enqueue(r.queues, 'before');
    r.dispatcher.kick();
    await vi.waitFor(() => expect(r.expired).toEqual(['before']), { timeout: 1000 });
    await r.queues.dequeue('q', 'before');
    // Within the copy's second: an agent logs in and pauses (available only later).
    await r.agents.setProfile('a1', { name: 'a1', skills: {}, queues: ['q'] });
    await r.agents.setRegistered('a1', true, 1_000);
    await r.agents.moveAgent('a1', 'login', 1_000);
    await r.agents.moveAgent('a1', 'pause', 1_001, '', { pauseReason: 'training' });
    await enqueue(r.queues, 'after');
    r.dispatcher.kick();
    // The agent comes back: the caller, never turned away, is offered to them.
    await r.agents.moveAgent('a1', 'unpause', 1_002);
    const got = r.next();
    r.dispatcher.kick();
    expect(await within(got, 1000)).toEqual(['after', 'a1']);
    expect(r.expired).toEqual(['before']);
  });

  it("while this instance's Asterisk is gone, its waiting calls are neither offered an agent nor turned away; they are once it is back", async () => {
    const media = { up: false };
    const r = rig(
      undefined,
      routingRules([queue()]),
      () => Date.now(),
      () => media.up,
    );
    // Unstaffed (the node's agents just became unreachable): not turned away while the media is out.
    await enqueue(r.queues, 'unstaffed');
    r.dispatcher.kick();
    await new Promise((res) => setTimeout(res, 100));
    expect(r.expired).toEqual([]);
    // An idle agent (on another node): not offered a call whose ring could not be placed.
    await idleAgent(r.agents, 'a1', 1_000);
    r.dispatcher.kick();
    await new Promise((res) => setTimeout(res, 100));
    expect(r.delivered).toEqual([]);
    expect((await r.agents.agent('a1'))?.state).toBe('available');
    // Back: the call gets its agent.
    media.up = true;
    const got = r.next();
    r.dispatcher.kick();
    expect(await within(got, 1000)).toEqual(['unstaffed', 'a1']);
  });

  it('a round kicked as the enqueue is sent, before Redis answers it, already sees the call (one connection keeps their order)', async () => {
    const r = rig();
    await idleAgent(r.agents, 'a1', 1_000);
    const got = r.next();
    const d = {
      callId: 'c1',
      queue: 'q',
      skills: {},
      priority: 0,
      enqueuedAt: Date.now(),
      caller: '057100000001',
      excludedAgents: [],
      owner: 'i1',
    };
    const sent = r.queues.enqueue(d, queueScore(0, d.enqueuedAt));
    r.dispatcher.kick();
    await sent;
    // No second kick and no safety net: only that first round can deliver it.
    expect(await within(got, 1000)).toEqual(['c1', 'a1']);
  });

  it('a claim lost to another instance between the read and the claim: the round runs again at once', async () => {
    const prefix = `t12disp:${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const rival = new QueueStore(redis, redisKeys(prefix));
    let stolen = false;
    // The rival instance takes the agent this round chose, just before this round's claim reaches Redis.
    class Racing extends QueueStore {
      override async claim(q: string, callId: string, agentId: string, now: number): Promise<boolean> {
        if (!stolen) {
          stolen = true;
          await enqueue(rival, 'rival-call', { owner: 'i2' });
          expect(await rival.claim('q', 'rival-call', agentId, now)).toBe(true);
        }
        return super.claim(q, callId, agentId, now);
      }
    }
    const r = rig({ agents: new AgentLiveStore(redis, redisKeys(prefix)), queues: new Racing(redis, redisKeys(prefix)) });
    await idleAgent(r.agents, 'a1', 1_000);
    await idleAgent(r.agents, 'a2', 2_000);
    await enqueue(r.queues, 'c1');
    const got = r.next();
    r.dispatcher.kick();
    expect(await within(got, 1000)).toEqual(['c1', 'a2']);
    expect(stolen).toBe(true);
  });

  it("an agent's new skills count from the next round once this instance changed them", async () => {
    const r = rig(undefined, routingRules([queue()]));
    await idleAgent(r.agents, 'a1', 1_000, { vat: 1 });
    await enqueue(r.queues, 'c1', { skills: { vat: 4 } });
    r.dispatcher.kick();
    await new Promise((res) => setTimeout(res, 200));
    expect(r.delivered).toEqual([]);
    await r.agents.setProfile('a1', { name: 'a1', skills: { vat: 5 }, queues: ['q'] });
    r.dispatcher.invalidateAgents();
    const got = r.next();
    r.dispatcher.kick();
    expect(await within(got, 1000)).toEqual(['c1', 'a1']);
  });

  it('an idle dispatcher reads no agent while none changes; a change made by another instance is read alone, and routes', async () => {
    const prefix = `t12disp:${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const other = new Redis(requireEnv('REDIS_URL'));
    const elsewhere = stores(other, prefix);
    const r = rig(stores(redis, prefix));
    const ids = Array.from({ length: 30 }, (_, i) => `a${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await idleAgent(r.agents, id, 1_000 + i, { vat: 1 });
    r.dispatcher.start(100);
    await new Promise((res) => setTimeout(res, 300));
    const monitor = await new Redis(requireEnv('REDIS_URL')).monitor();
    const read: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (String(args[0]).toLowerCase() === 'hgetall' && String(args[1]).startsWith(`${prefix}:agent:`))
        read.push(String(args[1]).slice(prefix.length + 7));
    });
    try {
      // Two refreshes (one a second) with nothing changed.
      await new Promise((res) => setTimeout(res, 2_300));
      expect(read).toEqual([]);
      await elsewhere.agents.setProfile('a07', { name: 'a07', skills: { vat: 5 }, queues: ['q'] });
      const got = r.next();
      await enqueue(elsewhere.queues, 'c1', { skills: { vat: 4 } });
      expect(await within(got, 2_000)).toEqual(['c1', 'a07']);
      await new Promise((res) => setTimeout(res, 1_200));
    } finally {
      monitor.disconnect();
      other.disconnect();
    }
    expect(read.length).toBeGreaterThan(0);
    expect(new Set(read)).toEqual(new Set(['a07']));
  });

  it('fewest-calls counts the offers this instance just made, before any snapshot shows them', async () => {
    // A clock that moves on at every reading, as a busy one does: the copy of the agents is read
    // after the round began.
    let clock = Date.now();
    const r = rig(undefined, routingRules([queue({ strategy: 'fewest_calls' })]), () => ++clock);
    await idleAgent(r.agents, 'a1', 1_000);
    await idleAgent(r.agents, 'a2', 2_000);
    await enqueue(r.queues, 'c1');
    const first = r.next();
    r.dispatcher.kick();
    const [, took] = await within(first, 1000);
    // Back to idle (a missed ring, say) and idle longest: only its one offer more tells them apart.
    await r.agents.moveAgent(took, 'unreserve', 500);
    await enqueue(r.queues, 'c2');
    const second = r.next();
    r.dispatcher.kick();
    const [, next] = await within(second, 1000);
    expect(next).not.toBe(took);
  });

  describe('a call entering an empty queue', () => {
    function details(callId: string, over: Partial<WaitingDetails> = {}) {
      return {
        callId,
        queue: 'q',
        skills: {},
        priority: 0,
        enqueuedAt: Date.now(),
        caller: '057100000001',
        excludedAgents: [],
        owner: 'i1',
        ...over,
      };
    }
    /** A round with nobody waiting: it learns who is idle and reads every agent. */
    async function warm(r: Rig): Promise<void> {
      r.dispatcher.kick();
      await new Promise((res) => setTimeout(res, 100));
    }

    it('takes the idle agent in the enqueue step itself: delivered before the enqueue returns, the queue left empty', async () => {
      const r = rig();
      await idleAgent(r.agents, 'a1', 1_000);
      await idleAgent(r.agents, 'a2', 2_000);
      await warm(r);
      const d = details('c1');
      await r.dispatcher.enqueue(d, queueScore(0, d.enqueuedAt));
      expect(r.delivered).toEqual([['c1', 'a1']]);
      expect(await r.queues.waiting('q')).toEqual([]);
      expect((await r.agents.agent('a1'))?.state).toBe('reserved');
    });

    it('never claims past a call already waiting: the new call queues behind it', async () => {
      const r = rig();
      await idleAgent(r.agents, 'a1', 1_000);
      await enqueue(r.queues, 'elsewhere', { owner: 'i2' });
      const d = details('c1', { enqueuedAt: Date.now() + 1000 });
      const res = await r.queues.enqueueAndClaim(d, queueScore(0, d.enqueuedAt), 'a1', Date.now());
      expect(res).toEqual({ position: 2, claimed: false });
      expect((await r.agents.agent('a1'))?.state).toBe('available');
      expect((await r.queues.waitingOne('c1'))?.positionAtEntry).toBe(2);
    });

    it('an agent taken since the last round is not claimed again; the round that follows gives the call another', async () => {
      const r = rig();
      await idleAgent(r.agents, 'a1', 1_000);
      await idleAgent(r.agents, 'a2', 2_000);
      await warm(r);
      // Another instance takes a1 after this one last looked.
      await enqueue(r.queues, 'other-instance', { owner: 'i2' });
      expect(await r.queues.claim('q', 'other-instance', 'a1', Date.now())).toBe(true);
      const got = r.next();
      const d = details('c1');
      await r.dispatcher.enqueue(d, queueScore(0, d.enqueuedAt));
      expect(await within(got, 1000)).toEqual(['c1', 'a2']);
      expect(r.delivered).toEqual([['c1', 'a2']]);
    });

    it('an unqualified idle agent is not taken: the call waits', async () => {
      const r = rig();
      await idleAgent(r.agents, 'a1', 1_000, { vat: 1 });
      await warm(r);
      const d = details('c1', { skills: { vat: 4 } });
      await r.dispatcher.enqueue(d, queueScore(0, d.enqueuedAt));
      await new Promise((res) => setTimeout(res, 200));
      expect(r.delivered).toEqual([]);
      expect((await r.queues.waiting('q')).map((w) => w.callId)).toEqual(['c1']);
    });
  });
});
