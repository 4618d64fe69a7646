import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { AgentLiveStore } from '../../src/features/agents/agent-live-store.js';
import { QueueStore } from '../../src/features/routing/queue-store.js';
import { SessionStore } from '../../src/features/calls/session-store.js';
import { CallerMemory } from '../../src/features/routing/caller-memory.js';
import { LiveEpoch } from '../../src/features/live/epoch.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis, a random key prefix per run, cleaned up afterwards.
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const a = new Redis(requireEnv('REDIS_URL'));
const b = new Redis(requireEnv('REDIS_URL'));
const racingConnections: Redis[] = [];
afterAll(async () => {
  await unlinkPrefix(a, prefix);
  a.disconnect();
  b.disconnect();
  for (const c of racingConnections) c.disconnect();
});

/**
 * A connection on which `meanwhile` runs once, after Redis answered the first `command` and before
 * the store sees the answer: the interleaving of a race, made certain. Another connection runs it.
 */
function racing(command: 'hget' | 'hgetall' | 'mget', meanwhile: () => Promise<unknown>): Redis {
  const conn = new Redis(requireEnv('REDIS_URL'));
  racingConnections.push(conn);
  const commands = conn as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const real = commands[command]!.bind(conn);
  let ran = false;
  commands[command] = async (...args: unknown[]) => {
    const answer = await real(...args);
    if (!ran) {
      ran = true;
      await meanwhile();
    }
    return answer;
  };
  return conn;
}

/** Agents and waiting queues on one connection, as an instance holds them. */
function stores(conn: Redis, keys = redisKeys(prefix)) {
  return { agents: new AgentLiveStore(conn, keys), queues: new QueueStore(conn, keys) };
}

const waiting = (callId: string, owner: string) => ({
  callId,
  queue: 'q',
  skills: {},
  priority: 0,
  enqueuedAt: Date.now(),
  caller: '057100000000',
  excludedAgents: [],
  owner,
});

describe('live state in Redis', () => {
  it('two instances racing for one agent: exactly one claim wins, and the agent is reserved for that call', async () => {
    const one = stores(a);
    const two = stores(b);
    for (let round = 0; round < 50; round++) {
      const agent = `a${round}`;
      await one.agents.setRegistered(agent, true, 1);
      expect((await one.agents.moveAgent(agent, 'login', 1)).ok).toBe(true);
      await one.queues.enqueue(waiting(`c${round}-1`, 'i1'), 1);
      await two.queues.enqueue(waiting(`c${round}-2`, 'i2'), 2);
      const [w1, w2] = await Promise.all([one.queues.claim('q', `c${round}-1`, agent, 5), two.queues.claim('q', `c${round}-2`, agent, 5)]);
      expect(Number(w1) + Number(w2)).toBe(1);
      const state = await one.agents.agent(agent);
      expect(state).toMatchObject({ state: 'reserved', callId: w1 ? `c${round}-1` : `c${round}-2` });
      // The losing call is still waiting, in its place.
      expect(await one.queues.position('q', w1 ? `c${round}-2` : `c${round}-1`)).toBe(1);
      await one.queues.dequeue('q', w1 ? `c${round}-2` : `c${round}-1`);
    }
  });

  it('an agent whose phone is not registered is never claimed, nor listed as idle', async () => {
    const s = stores(a);
    await s.agents.setRegistered('u1', false, 1);
    await s.agents.moveAgent('u1', 'login', 1);
    await s.queues.enqueue(waiting('cu1', 'i1'), 1);
    expect(await s.queues.claim('q', 'cu1', 'u1', 2)).toBe(false);
    expect((await s.agents.idleAgents()).map((x) => x.agentId)).not.toContain('u1');
    await s.agents.setRegistered('u1', true, 3);
    expect((await s.agents.idleAgents()).map((x) => x.agentId)).toContain('u1');
    expect(await s.queues.claim('q', 'cu1', 'u1', 4)).toBe(true);
  });

  it('several nodes: registered while any node reaches the phone; the node is the one that does; a lost node takes only its own', async () => {
    const s = stores(a);
    await s.agents.moveAgent('n1', 'login', 1);
    const idle = async () => (await s.agents.idleAgents()).map((x) => x.agentId);
    expect(await s.agents.setRegistered('n1', true, 2, 'na')).toBe(true);
    expect(await s.agents.nodeOf('n1')).toBe('na');
    // The other node does not see the phone: that changes nothing.
    expect(await s.agents.setRegistered('n1', false, 3, 'nb')).toBe(false);
    expect(await s.agents.nodeOf('n1')).toBe('na');
    expect(await idle()).toContain('n1');
    // The phone moves to nb, then na reports it gone: still registered, now on nb.
    expect(await s.agents.setRegistered('n1', true, 4, 'nb')).toBe(false);
    expect(await s.agents.setRegistered('n1', false, 5, 'na')).toBe(false);
    expect(await s.agents.nodeOf('n1')).toBe('nb');
    // Node na lost: n1 is not on it and stays; node nb lost: n1 is unreachable at once.
    expect(await s.agents.nodeLost('na', 6)).not.toContain('n1');
    expect(await idle()).toContain('n1');
    expect(await s.agents.nodeLost('nb', 7)).toContain('n1');
    expect(await s.agents.nodeOf('n1')).toBeUndefined();
    expect(await idle()).not.toContain('n1');
    // Deactivated: on no node at all.
    await s.agents.setRegistered('n1', true, 8, 'na');
    await s.agents.setRegistered('n1', true, 9, 'nb');
    expect(await s.agents.setRegistered('n1', false, 10, '*')).toBe(true);
    expect(await s.agents.nodeOf('n1')).toBeUndefined();
    expect((await s.agents.agent('n1'))?.registered).toBe(false);
  });

  it('scripts go by their SHA (EVALSHA), and a Redis that forgot them (SCRIPT FLUSH, as after a restart) gets them again', async () => {
    const s = stores(a);
    const monitor = await new Redis(requireEnv('REDIS_URL')).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((x) => x.startsWith(`${prefix}:agent:sha1`))) seen.push(String(args[0]).toLowerCase());
    });
    try {
      await s.agents.setRegistered('sha1', true, 1);
      for (let i = 0; i < 3; i++) {
        expect((await s.agents.moveAgent('sha1', 'login', 1)).ok).toBe(true);
        expect((await s.agents.moveAgent('sha1', 'logout', 2)).ok).toBe(true);
      }
      await a.script('FLUSH');
      expect((await s.agents.moveAgent('sha1', 'login', 3)).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      monitor.disconnect();
    }
    // The text is sent once per script per Redis that lacks it, not per call.
    expect(seen.filter((c) => c === 'eval').length).toBeLessThanOrEqual(3);
    expect(seen.filter((c) => c === 'evalsha').length).toBeGreaterThanOrEqual(6);
    expect(await s.agents.agent('sha1')).toMatchObject({ state: 'available' });
  });

  it('agent changes: a reader asks for what changed after the number it last saw and gets only those agents', async () => {
    const pre = `${prefix}:chg`;
    const s = stores(a, redisKeys(pre));
    await s.agents.setProfile('c1', { name: 'c1', skills: { vat: 4 }, queues: ['q'] });
    await s.agents.setRegistered('c1', true, 1);
    await s.agents.setProfile('c2', { name: 'c2', skills: {}, queues: ['q'] });
    const all = await s.agents.agentsChangedSince(undefined);
    expect(all.agents.map((x) => x.agentId)).toEqual(['c1', 'c2']);
    // Nothing changed: nothing to read.
    expect(await s.agents.agentsChangedSince(all.seq)).toEqual({ seq: all.seq, agents: [], gone: [] });
    // Each way an agent changes for routing is seen: a move, a claim, a new profile, its phone.
    await s.agents.moveAgent('c1', 'login', 2);
    const moved = await s.agents.agentsChangedSince(all.seq);
    expect(moved.agents.map((x) => [x.agentId, x.state])).toEqual([['c1', 'available']]);
    await s.queues.enqueue(waiting('cc1', 'i1'), 1);
    expect(await s.queues.claim('q', 'cc1', 'c1', 3)).toBe(true);
    await s.agents.setProfile('c2', { name: 'c2', skills: { vat: 2 }, queues: ['q'] });
    const next = await s.agents.agentsChangedSince(moved.seq);
    expect(next.agents.map((x) => [x.agentId, x.state, x.profile.skills])).toEqual([
      ['c1', 'reserved', { vat: 4 }],
      ['c2', 'logged_out', { vat: 2 }],
    ]);
    await s.agents.setRegistered('c2', true, 4);
    expect((await s.agents.agentsChangedSince(next.seq)).agents.map((x) => x.agentId)).toEqual(['c2']);
    // A record gone (by hand) while still listed as changed is reported gone, not returned.
    await s.agents.setProfile('c3', { name: 'c3', skills: {}, queues: [] });
    await a.unlink(`${pre}:agent:c3`);
    expect((await s.agents.agentsChangedSince(next.seq)).gone).toEqual(['c3']);
  });

  it('agent changes: after Redis lost its data the numbers start above every number handed out before', async () => {
    const pre = `${prefix}:lost`;
    const s = stores(a, redisKeys(pre));
    await s.agents.setProfile('l1', { name: 'l1', skills: {}, queues: ['q'] });
    await s.agents.setProfile('l1', { name: 'l1', skills: {}, queues: ['q'] });
    const before = await s.agents.agentsChangedSince(undefined);
    await unlinkPrefix(a, pre);
    await s.agents.setProfile('l2', { name: 'l2', skills: {}, queues: ['q'] });
    const after = await s.agents.agentsChangedSince(before.seq);
    expect(after.seq).toBeGreaterThan(before.seq);
    expect(after.agents.map((x) => x.agentId)).toEqual(['l2']);
  });

  it('session snapshots: the first save lists the call under its owner, later ones replace only the snapshot', async () => {
    const s = new SessionStore(a, redisKeys(prefix));
    await s.save('own1', 'call-s1', JSON.stringify({ callId: 'call-s1', step: 1 }), false);
    await s.save('own1', 'call-s1', JSON.stringify({ callId: 'call-s1', step: 2 }), true);
    expect(await s.owned('own1')).toEqual([{ callId: 'call-s1', step: 2 }]);
    expect(await a.ttl(`${prefix}:session:call-s1`)).toBeGreaterThan(11 * 3600);
    await s.drop('own1', 'call-s1');
    expect(await s.owned('own1')).toEqual([]);
  });

  it('moves apply only from the states they allow', async () => {
    const s = stores(a);
    await s.agents.setRegistered('m1', true, 1);
    expect((await s.agents.moveAgent('m1', 'pause', 1)).ok).toBe(false);
    expect(await s.agents.moveAgent('m1', 'login', 2)).toEqual({ ok: true, from: 'logged_out' });
    expect(await s.agents.moveAgent('m1', 'pause', 3, '', { pauseReason: 'training' })).toEqual({ ok: true, from: 'available' });
    expect(await s.agents.agent('m1')).toMatchObject({ state: 'paused', pauseReason: 'training' });
    expect((await s.agents.moveAgent('m1', 'reserve', 4)).ok).toBe(false);
  });

  it('registration: a repeated device state writes nothing and reports no change; a real change does', async () => {
    const s = stores(a);
    expect(await s.agents.setRegistered('r1', true, 1)).toBe(true);
    await s.agents.moveAgent('r1', 'login', 2);
    expect(await s.agents.setRegistered('r1', true, 3)).toBe(false);
    expect((await s.agents.idleAgents()).find((x) => x.agentId === 'r1')?.idleSince).toBe(2);
    expect(await s.agents.setRegistered('r1', false, 4)).toBe(true);
    expect((await s.agents.idleAgents()).map((x) => x.agentId)).not.toContain('r1');
  });

  it('wrap-ups that end by themselves are found by their end time, and leave the set when the agent moves on', async () => {
    const s = stores(a);
    await s.agents.setRegistered('w1', true, 1);
    await s.agents.moveAgent('w1', 'login', 1);
    await s.queues.enqueue(waiting('cw1', 'i1'), 1);
    expect(await s.queues.claim('q', 'cw1', 'w1', 2)).toBe(true);
    await s.agents.moveAgent('w1', 'answer', 3, 'cw1');
    await s.agents.moveAgent('w1', 'hangupToWrapUp', 4, 'cw1', { wrapUntil: 100 });
    expect(await s.agents.dueWrapUps(99)).not.toContain('w1');
    expect(await s.agents.dueWrapUps(100)).toContain('w1');
    await s.agents.moveAgent('w1', 'endWrapUp', 50, 'cw1');
    expect(await s.agents.dueWrapUps(1000)).not.toContain('w1');
  });

  it('after a loss: the live state gets a new identity, and agents their states back unless they have one again', async () => {
    const keys = redisKeys(`${prefix}:loss`);
    const one = { ...stores(a, keys), epoch: new LiveEpoch(a, keys) };
    const two = { ...stores(b, keys), epoch: new LiveEpoch(b, keys) };
    expect(await one.epoch.current('e1')).toBe('e1');
    expect(await two.epoch.current('e2')).toBe('e1');
    await unlinkPrefix(a, `${prefix}:loss`);
    // The first to look after the loss sets the new identity; the other sees it differ from the one it knew.
    expect(await two.epoch.current('e3')).toBe('e3');
    expect(await one.epoch.current('e4')).toBe('e3');

    await one.agents.setRegistered('avail', true, 1);
    expect(await one.agents.restoreAgent('avail', { state: 'available', since: 100 })).toBe(true);
    expect(await one.agents.restoreAgent('paused', { state: 'paused', since: 200, pauseReason: 'training' })).toBe(true);
    expect(await one.agents.restoreAgent('wrap', { state: 'wrap_up', since: 300, callId: 'c1', wrapUntil: 400 })).toBe(true);
    expect(await one.agents.agent('avail')).toMatchObject({ state: 'available', since: 100, registered: true });
    expect(await one.agents.agent('paused')).toMatchObject({ state: 'paused', since: 200, pauseReason: 'training' });
    expect((await one.agents.idleAgents()).map((x) => x.agentId)).toEqual(['avail']);
    expect(await one.agents.dueWrapUps(400)).toEqual(['wrap']);
    // Logged in again before the restore reached it: what the agent did since wins.
    expect((await one.agents.moveAgent('later', 'login', 500)).ok).toBe(true);
    expect(await one.agents.restoreAgent('later', { state: 'paused', since: 50, pauseReason: 'meeting' })).toBe(false);
    expect(await one.agents.agent('later')).toMatchObject({ state: 'available', since: 500 });
    // A kept callback place is put back by one instance only.
    expect([await one.queues.claimKeptPlaceRestore('kept-1'), await two.queues.claimKeptPlaceRestore('kept-1')]).toEqual([true, false]);
    // Restored agents are changes like any other: a mirror reading changes sees them.
    expect((await one.agents.agentsChangedSince(0)).agents.map((x) => x.agentId).sort()).toEqual(['avail', 'later', 'paused', 'wrap']);
  });

  it("a caller's last agent: remembered for the window, seeded from history without overwriting", async () => {
    const s = new CallerMemory(a, redisKeys(prefix));
    await s.remember('0571001', 'x1', 60_000);
    const now = Date.now();
    await s.seed(
      [
        { caller: '0571001', agentId: 'older', untilMs: now + 60_000 },
        { caller: '0571002', agentId: 'y1', untilMs: now + 60_000 },
        { caller: '0571003', agentId: 'gone', untilMs: now - 1 },
      ],
      now,
    );
    expect(await s.lastAgent('0571001')).toBe('x1');
    expect(await s.lastAgent('0571002')).toBe('y1');
    expect(await s.lastAgent('0571003')).toBeUndefined();
  });

  describe('a change to a waiting call is written only while the call still waits', () => {
    /** Call `callId` waiting in q with an agent ready to take it; `other` claims it on another connection. */
    async function waitingWithAgent(callId: string) {
      const other = stores(b);
      await other.agents.setRegistered(`ag-${callId}`, true, 1);
      await other.agents.moveAgent(`ag-${callId}`, 'login', 1);
      await other.queues.enqueue(waiting(callId, 'i1'), 1);
      return { claim: async () => expect(await other.queues.claim('q', callId, `ag-${callId}`, 2)).toBe(true) };
    }

    for (const [name, change] of [
      ['markExpired', (q: QueueStore, callId: string) => q.markExpired(callId)],
      ['keepForCallback', (q: QueueStore, callId: string) => q.keepForCallback(callId)],
      ['setOwner', (q: QueueStore, callId: string) => q.setOwner(callId, 'i9')],
    ] as const) {
      it(`${name}: a call claimed between its read and its write is not put back`, async () => {
        const callId = `claimed-${name}`;
        const { claim } = await waitingWithAgent(callId);
        const q = new QueueStore(racing('hget', claim), redisKeys(prefix));
        expect(await change(q, callId)).toBe(false);
        expect(await a.hexists(`${prefix}:waiting`, callId)).toBe(0);
        expect(await q.waitingOne(callId)).toBeUndefined();
        expect(await q.position('q', callId)).toBeUndefined();
      });

      it(`${name}: a call already claimed is left alone`, async () => {
        const callId = `gone-${name}`;
        const { claim } = await waitingWithAgent(callId);
        await claim();
        const q = new QueueStore(a, redisKeys(prefix));
        expect(await change(q, callId)).toBe(false);
        expect(await a.hexists(`${prefix}:waiting`, callId)).toBe(0);
      });
    }

    it('each change is merged into the facts as they are: two changes made together both stay, nothing else moves', async () => {
      const callId = 'both-changes';
      const s = stores(b);
      await s.queues.enqueue({ ...waiting(callId, 'i1'), skills: { vat: 4 }, preferredAgentId: 'p1' }, 1);
      const before = await s.queues.waitingOne(callId);
      // The callback choice lands between markExpired's read and its write.
      const q = new QueueStore(
        racing('hget', () => s.queues.keepForCallback(callId)),
        redisKeys(prefix),
      );
      expect(await q.markExpired(callId)).toBe(true);
      expect(await s.queues.waitingOne(callId)).toEqual({ ...before, expired: true, kind: 'callback' });
      expect(await s.queues.setOwner(callId, 'i2')).toBe(true);
      expect(await s.queues.waitingOne(callId)).toEqual({ ...before, expired: true, kind: 'callback', owner: 'i2' });
      expect(await s.queues.position('q', callId)).toBe(1);
      await s.queues.dequeue('q', callId);
    });
  });

  it('a wrap-up begun again after the sweep looked keeps its entry: only an agent not in wrap-up is forgotten', async () => {
    const s = stores(a);
    await s.agents.setRegistered('fw1', true, 1);
    await s.agents.moveAgent('fw1', 'login', 1);
    await s.queues.enqueue(waiting('cfw1', 'i1'), 1);
    expect(await s.queues.claim('q', 'cfw1', 'fw1', 2)).toBe(true);
    await s.agents.moveAgent('fw1', 'answer', 3, 'cfw1');
    await s.agents.moveAgent('fw1', 'hangupToWrapUp', 4, 'cfw1', { wrapUntil: 100 });
    // The sweep saw the agent elsewhere (say on a call) and forgets it as the new wrap-up begins.
    await s.agents.forgetWrapUp('fw1');
    expect(await s.agents.dueWrapUps(100)).toContain('fw1');
    // Out of wrap-up by a path that did not clear the entry: forgotten.
    await a.hset(`${prefix}:agent:fw1`, 'state', 'available');
    await s.agents.forgetWrapUp('fw1');
    expect(await s.agents.dueWrapUps(1000)).not.toContain('fw1');
  });

  it('session snapshots: a call saved again after the read that found its snapshot gone stays listed', async () => {
    const keys = redisKeys(prefix);
    const other = new SessionStore(b, keys);
    await other.save('own2', 'call-back', JSON.stringify({ callId: 'call-back', step: 1 }), false);
    await other.save('own2', 'call-gone', JSON.stringify({ callId: 'call-gone', step: 1 }), false);
    // Both snapshots expire (a crash), then, between the read and the pruning, one call is saved again.
    await a.unlink(`${prefix}:session:call-back`, `${prefix}:session:call-gone`);
    const s = new SessionStore(
      racing('mget', () => other.save('own2', 'call-back', JSON.stringify({ callId: 'call-back', step: 2 }), true)),
      keys,
    );
    expect(await s.owned('own2')).toEqual([]);
    expect(await s.isListed('own2', 'call-back')).toBe(true);
    expect(await s.isListed('own2', 'call-gone')).toBe(false);
    expect(await s.owned('own2')).toEqual([{ callId: 'call-back', step: 2 }]);
  });
});
