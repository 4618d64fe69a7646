import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { AgentLive } from '../../src/features/agents/agent-live-store.js';
import { AgentMirror } from '../../src/features/agents/agent-mirror.js';

const agent = (agentId: string, state: AgentLive['state'] = 'available'): AgentLive => ({
  agentId,
  state,
  registered: true,
  since: 0,
  profile: { name: agentId, skills: {}, queues: ['q'] },
  callsHandled: 0,
  misses: 0,
});

/** Redis's side as agentsChangedSince sees it: records, and the change number of each. */
function fakeRedis() {
  const records = new Map<string, AgentLive>();
  const changedAt = new Map<string, number>();
  let seq = 100;
  const asked: Array<number | undefined> = [];
  return {
    asked,
    set(a: AgentLive) {
      records.set(a.agentId, a);
      changedAt.set(a.agentId, ++seq);
    },
    lose() {
      seq = 0;
    },
    liveAgents: {
      agentsChangedSince: async (since: number | undefined) => {
        asked.push(since);
        const ids = [...changedAt]
          .filter(([, n]) => since === undefined || n > since)
          .map(([id]) => id)
          .sort();
        return { seq, agents: ids.flatMap((id) => records.get(id) ?? []), gone: ids.filter((id) => !records.has(id)) };
      },
    },
  };
}

describe('agent mirror', () => {
  it('readSince waits for a read begun at that moment or later, even with a young copy or a read already in flight', async () => {
    const redis = fakeRedis();
    let now = 1_000;
    const mirror = new AgentMirror({ liveAgents: redis.liveAgents, now: () => now, log: pino({ level: 'silent' }) });
    await mirror.agents();
    redis.set(agent('a', 'paused'));
    now += 100;
    // The copy is 100 ms old: agents() gives it as it is; readSince(now) reads.
    expect(await mirror.agents()).toEqual([]);
    expect((await mirror.readSince(now))?.map((a) => [a.agentId, a.state])).toEqual([['a', 'paused']]);
    // A read begun before `since` is waited for, then one more.
    now += 2_000;
    const inFlight = mirror.agents();
    redis.set(agent('b'));
    now += 1;
    expect((await mirror.readSince(now))?.map((a) => a.agentId)).toEqual(['a', 'b']);
    await inFlight;
    expect(redis.asked).toEqual([undefined, 100, 101, 101]);
  });

  it('readSince gives nothing when the read fails, rather than the old copy', async () => {
    let fail = false;
    const now = 1_000;
    const mirror = new AgentMirror({
      liveAgents: {
        agentsChangedSince: async () => {
          if (fail) throw new Error('Redis away');
          return { seq: 1, agents: [agent('a')], gone: [] };
        },
      },
      now: () => now,
      log: pino({ level: 'silent' }),
    });
    expect(await mirror.readSince(now)).toHaveLength(1);
    fail = true;
    expect(await mirror.readSince(now + 1)).toBeUndefined();
  });

  it('reads every agent once, then only those changed; a newcomer keeps the list in id order', async () => {
    const redis = fakeRedis();
    let now = 1_000;
    const mirror = new AgentMirror({ liveAgents: redis.liveAgents, now: () => now, log: pino({ level: 'silent' }) });
    redis.set(agent('b'));
    redis.set(agent('c'));
    expect((await mirror.agents()).map((a) => a.agentId)).toEqual(['b', 'c']);
    redis.set(agent('c', 'paused'));
    redis.set(agent('a'));
    // Younger than a second: the copy as it was, no read.
    now += 500;
    expect((await mirror.agents()).map((a) => a.state)).toEqual(['available', 'available']);
    now += 600;
    await mirror.agents();
    await Promise.resolve();
    expect((await mirror.agents()).map((a) => [a.agentId, a.state])).toEqual([
      ['a', 'available'],
      ['b', 'available'],
      ['c', 'paused'],
    ]);
    expect(redis.asked).toEqual([undefined, 102]);
  });

  it('reads every agent again once a minute, and when the change count went back (Redis lost it)', async () => {
    const redis = fakeRedis();
    let now = 1_000;
    const mirror = new AgentMirror({ liveAgents: redis.liveAgents, now: () => now, log: pino({ level: 'silent' }) });
    redis.set(agent('a'));
    await mirror.agents();
    const refresh = async (by: number) => {
      now += by;
      await mirror.agents();
      await new Promise((r) => setImmediate(r));
    };
    await refresh(1_001);
    await refresh(60_000);
    expect(redis.asked).toEqual([undefined, 101, undefined]);
    redis.lose();
    await refresh(1_001);
    await refresh(1_001);
    expect(redis.asked.slice(3)).toEqual([101, undefined]);
  });

  it('after invalidate() the next read waits for a copy read after it', async () => {
    const redis = fakeRedis();
    const mirror = new AgentMirror({ liveAgents: redis.liveAgents, now: () => 5_000, log: pino({ level: 'silent' }) });
    redis.set(agent('a'));
    await mirror.agents();
    redis.set(agent('a', 'paused'));
    mirror.invalidate();
    expect((await mirror.agents())[0]!.state).toBe('paused');
    expect(mirror.freshWithin(2_000, 5_000)).toBe(true);
  });
});
