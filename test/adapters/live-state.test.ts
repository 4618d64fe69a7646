import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { LiveState } from '../../src/adapters/redis/live-state.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis, a random key prefix per run, cleaned up afterwards.
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const a = new Redis(requireEnv('REDIS_URL'));
const b = new Redis(requireEnv('REDIS_URL'));
afterAll(async () => {
  await unlinkPrefix(a, prefix);
  a.disconnect();
  b.disconnect();
});

const waiting = (callId: string, owner: string) => ({
  callId, queue: 'q', skills: {}, priority: 0, enqueuedAt: Date.now(), caller: '057100000000', excludedAgents: [], owner,
});

describe('live state in Redis', () => {
  it('two instances racing for one agent: exactly one claim wins, and the agent is reserved for that call', async () => {
    const one = new LiveState(a, redisKeys(prefix));
    const two = new LiveState(b, redisKeys(prefix));
    for (let round = 0; round < 50; round++) {
      const agent = `a${round}`;
      await one.setRegistered(agent, true, 1);
      expect((await one.moveAgent(agent, 'login', 1)).ok).toBe(true);
      await one.enqueue(waiting(`c${round}-1`, 'i1'), 1);
      await two.enqueue(waiting(`c${round}-2`, 'i2'), 2);
      const [w1, w2] = await Promise.all([one.claim('q', `c${round}-1`, agent, 5), two.claim('q', `c${round}-2`, agent, 5)]);
      expect(Number(w1) + Number(w2)).toBe(1);
      const state = await one.agent(agent);
      expect(state).toMatchObject({ state: 'reserved', callId: w1 ? `c${round}-1` : `c${round}-2` });
      // The losing call is still waiting, in its place.
      expect(await one.position('q', w1 ? `c${round}-2` : `c${round}-1`)).toBe(1);
      await one.dequeue('q', w1 ? `c${round}-2` : `c${round}-1`);
    }
  });

  it('an agent whose phone is not registered is never claimed, nor listed as idle', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    await s.setRegistered('u1', false, 1);
    await s.moveAgent('u1', 'login', 1);
    await s.enqueue(waiting('cu1', 'i1'), 1);
    expect(await s.claim('q', 'cu1', 'u1', 2)).toBe(false);
    expect((await s.idleAgents()).map((x) => x.agentId)).not.toContain('u1');
    await s.setRegistered('u1', true, 3);
    expect((await s.idleAgents()).map((x) => x.agentId)).toContain('u1');
    expect(await s.claim('q', 'cu1', 'u1', 4)).toBe(true);
  });

  it('scripts go by their SHA (EVALSHA), and a Redis that forgot them (SCRIPT FLUSH, as after a restart) gets them again', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    const monitor = await new Redis(requireEnv('REDIS_URL')).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((x) => x.startsWith(`${prefix}:agent:sha1`))) seen.push(String(args[0]).toLowerCase());
    });
    try {
      await s.setRegistered('sha1', true, 1);
      for (let i = 0; i < 3; i++) {
        expect((await s.moveAgent('sha1', 'login', 1)).ok).toBe(true);
        expect((await s.moveAgent('sha1', 'logout', 2)).ok).toBe(true);
      }
      await a.script('FLUSH');
      expect((await s.moveAgent('sha1', 'login', 3)).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      monitor.disconnect();
    }
    // The text is sent once per script per Redis that lacks it, not per call.
    expect(seen.filter((c) => c === 'eval').length).toBeLessThanOrEqual(3);
    expect(seen.filter((c) => c === 'evalsha').length).toBeGreaterThanOrEqual(6);
    expect(await s.agent('sha1')).toMatchObject({ state: 'available' });
  });

  it('agent changes: a reader asks for what changed after the number it last saw and gets only those agents', async () => {
    const pre = `${prefix}:chg`;
    const s = new LiveState(a, redisKeys(pre));
    await s.setProfile('c1', { name: 'c1', skills: { vat: 4 }, queues: ['q'] });
    await s.setRegistered('c1', true, 1);
    await s.setProfile('c2', { name: 'c2', skills: {}, queues: ['q'] });
    const all = await s.agentsChangedSince(undefined);
    expect(all.agents.map((x) => x.agentId)).toEqual(['c1', 'c2']);
    // Nothing changed: nothing to read.
    expect(await s.agentsChangedSince(all.seq)).toEqual({ seq: all.seq, agents: [], gone: [] });
    // Each way an agent changes for routing is seen: a move, a claim, a new profile, its phone.
    await s.moveAgent('c1', 'login', 2);
    const moved = await s.agentsChangedSince(all.seq);
    expect(moved.agents.map((x) => [x.agentId, x.state])).toEqual([['c1', 'available']]);
    await s.enqueue(waiting('cc1', 'i1'), 1);
    expect(await s.claim('q', 'cc1', 'c1', 3)).toBe(true);
    await s.setProfile('c2', { name: 'c2', skills: { vat: 2 }, queues: ['q'] });
    const next = await s.agentsChangedSince(moved.seq);
    expect(next.agents.map((x) => [x.agentId, x.state, x.profile.skills])).toEqual([['c1', 'reserved', { vat: 4 }], ['c2', 'logged_out', { vat: 2 }]]);
    await s.setRegistered('c2', true, 4);
    expect((await s.agentsChangedSince(next.seq)).agents.map((x) => x.agentId)).toEqual(['c2']);
    // A record gone (by hand) while still listed as changed is reported gone, not returned.
    await s.setProfile('c3', { name: 'c3', skills: {}, queues: [] });
    await a.unlink(`${pre}:agent:c3`);
    expect((await s.agentsChangedSince(next.seq)).gone).toEqual(['c3']);
  });

  it('agent changes: after Redis lost its data the numbers start above every number handed out before', async () => {
    const pre = `${prefix}:lost`;
    const s = new LiveState(a, redisKeys(pre));
    await s.setProfile('l1', { name: 'l1', skills: {}, queues: ['q'] });
    await s.setProfile('l1', { name: 'l1', skills: {}, queues: ['q'] });
    const before = await s.agentsChangedSince(undefined);
    await unlinkPrefix(a, pre);
    await s.setProfile('l2', { name: 'l2', skills: {}, queues: ['q'] });
    const after = await s.agentsChangedSince(before.seq);
    expect(after.seq).toBeGreaterThan(before.seq);
    expect(after.agents.map((x) => x.agentId)).toEqual(['l2']);
  });

  it('session snapshots: the first save lists the call under its owner, later ones replace only the snapshot', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    await s.saveSession('own1', 'call-s1', JSON.stringify({ callId: 'call-s1', step: 1 }), false);
    await s.saveSession('own1', 'call-s1', JSON.stringify({ callId: 'call-s1', step: 2 }), true);
    expect(await s.sessions('own1')).toEqual([{ callId: 'call-s1', step: 2 }]);
    expect(await a.ttl(`${prefix}:session:call-s1`)).toBeGreaterThan(11 * 3600);
    await s.dropSession('own1', 'call-s1');
    expect(await s.sessions('own1')).toEqual([]);
  });

  it('moves apply only from the states they allow', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    await s.setRegistered('m1', true, 1);
    expect((await s.moveAgent('m1', 'pause', 1)).ok).toBe(false);
    expect(await s.moveAgent('m1', 'login', 2)).toEqual({ ok: true, from: 'logged_out' });
    expect(await s.moveAgent('m1', 'pause', 3, '', { pauseReason: 'training' })).toEqual({ ok: true, from: 'available' });
    expect(await s.agent('m1')).toMatchObject({ state: 'paused', pauseReason: 'training' });
    expect((await s.moveAgent('m1', 'reserve', 4)).ok).toBe(false);
  });

  it('registration: a repeated device state writes nothing and reports no change; a real change does', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    expect(await s.setRegistered('r1', true, 1)).toBe(true);
    await s.moveAgent('r1', 'login', 2);
    expect(await s.setRegistered('r1', true, 3)).toBe(false);
    expect((await s.idleAgents()).find((x) => x.agentId === 'r1')?.idleSince).toBe(2);
    expect(await s.setRegistered('r1', false, 4)).toBe(true);
    expect((await s.idleAgents()).map((x) => x.agentId)).not.toContain('r1');
  });

  it('wrap-ups that end by themselves are found by their end time, and leave the set when the agent moves on', async () => {
    const s = new LiveState(a, redisKeys(prefix));
    await s.setRegistered('w1', true, 1);
    await s.moveAgent('w1', 'login', 1);
    await s.enqueue(waiting('cw1', 'i1'), 1);
    expect(await s.claim('q', 'cw1', 'w1', 2)).toBe(true);
    await s.moveAgent('w1', 'answer', 3, 'cw1');
    await s.moveAgent('w1', 'hangupToWrapUp', 4, 'cw1', { wrapUntil: 100 });
    expect(await s.dueWrapUps(99)).not.toContain('w1');
    expect(await s.dueWrapUps(100)).toContain('w1');
    await s.moveAgent('w1', 'endWrapUp', 50, 'cw1');
    expect(await s.dueWrapUps(1000)).not.toContain('w1');
  });

  it('after a loss: the live state gets a new identity, and agents their states back unless they have one again', async () => {
    const keys = redisKeys(`${prefix}:loss`);
    const one = new LiveState(a, keys);
    const two = new LiveState(b, keys);
    expect(await one.epoch('e1')).toBe('e1');
    expect(await two.epoch('e2')).toBe('e1');
    await unlinkPrefix(a, `${prefix}:loss`);
    // The first to look after the loss sets the new identity; the other sees it differ from the one it knew.
    expect(await two.epoch('e3')).toBe('e3');
    expect(await one.epoch('e4')).toBe('e3');

    await one.setRegistered('avail', true, 1);
    expect(await one.restoreAgent('avail', { state: 'available', since: 100 })).toBe(true);
    expect(await one.restoreAgent('paused', { state: 'paused', since: 200, pauseReason: 'training' })).toBe(true);
    expect(await one.restoreAgent('wrap', { state: 'wrap_up', since: 300, callId: 'c1', wrapUntil: 400 })).toBe(true);
    expect(await one.agent('avail')).toMatchObject({ state: 'available', since: 100, registered: true });
    expect(await one.agent('paused')).toMatchObject({ state: 'paused', since: 200, pauseReason: 'training' });
    expect((await one.idleAgents()).map((x) => x.agentId)).toEqual(['avail']);
    expect(await one.dueWrapUps(400)).toEqual(['wrap']);
    // Logged in again before the restore reached it: what the agent did since wins.
    expect((await one.moveAgent('later', 'login', 500)).ok).toBe(true);
    expect(await one.restoreAgent('later', { state: 'paused', since: 50, pauseReason: 'meeting' })).toBe(false);
    expect(await one.agent('later')).toMatchObject({ state: 'available', since: 500 });
    // A kept callback place is put back by one instance only.
    expect([await one.claimKeptPlaceRestore('kept-1'), await two.claimKeptPlaceRestore('kept-1')]).toEqual([true, false]);
    // Restored agents are changes like any other: a mirror reading changes sees them.
    expect((await one.agentsChangedSince(0)).agents.map((x) => x.agentId).sort()).toEqual(['avail', 'later', 'paused', 'wrap']);
  });

  it("a caller's last agent: remembered for the window, seeded from history without overwriting", async () => {
    const s = new LiveState(a, redisKeys(prefix));
    await s.rememberLastAgent('0571001', 'x1', 60_000);
    const now = Date.now();
    await s.seedLastAgents([
      { caller: '0571001', agentId: 'older', untilMs: now + 60_000 },
      { caller: '0571002', agentId: 'y1', untilMs: now + 60_000 },
      { caller: '0571003', agentId: 'gone', untilMs: now - 1 },
    ], now);
    expect(await s.lastAgent('0571001')).toBe('x1');
    expect(await s.lastAgent('0571002')).toBe('y1');
    expect(await s.lastAgent('0571003')).toBeUndefined();
  });
});
