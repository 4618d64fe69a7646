import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { AgentLiveStore } from '../../src/features/agents/agent-live-store.js';
import { AgentMirror } from '../../src/features/agents/agent-mirror.js';
import { QueueStore } from '../../src/features/routing/queue-store.js';
import { Dispatcher } from '../../src/features/routing/dispatcher.js';
import type { RoutingCatalog } from '../../src/features/routing/catalog.js';
import { routingRules } from '../../src/core/routing/model.js';
import { queueScore } from '../../src/features/calls/queue-score.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Two instances' dispatchers on one real Redis (issue 24): each on a connection of its own, as two processes would be.
const prefix = `t12disp2:${randomBytes(4).toString('hex')}`;
const conns = [new Redis(requireEnv('REDIS_URL')), new Redis(requireEnv('REDIS_URL'))];
afterAll(async () => {
  await unlinkPrefix(conns[0]!, prefix);
  for (const c of conns) c.disconnect();
});
const keys = redisKeys(prefix);
const rules = routingRules([
  {
    queue: 'q',
    strategy: 'longest_idle',
    preferredAgentS: 10,
    steps: [{ afterS: 0, skills: 'inherit' }],
    wrapUpS: 0,
    ringTimeoutS: 20,
    noAnswerPauseAfter: 0,
  },
]);

describe('two dispatchers, one agent pool', () => {
  it('200 calls from two instances over 5 agents: no agent is offered a second call while it holds one; calls are offered in queue order', async () => {
    const log = pino({ level: 'silent' });
    const owners = ['i1', 'i2'] as const;
    const busy = new Map<string, string>();
    const violations: string[] = [];
    const offered: string[] = [];
    const dispatchers = owners.map((owner, n) => {
      const agents = new AgentLiveStore(conns[n]!, keys);
      const queues = new QueueStore(conns[n]!, keys);
      const d: Dispatcher = new Dispatcher({
        queues,
        liveAgents: agents,
        agents: new AgentMirror({ liveAgents: agents, now: () => Date.now(), log }),
        routing: { active: async () => ({ rules }), cached: { rules } } as unknown as RoutingCatalog,
        owner,
        now: () => Date.now(),
        log,
        deliver: (callId, agentId) => {
          if (!callId.startsWith(owner)) violations.push(`${owner} delivered ${callId}, not its own`);
          if (busy.has(agentId)) violations.push(`${agentId} offered ${callId} while holding ${busy.get(agentId)}`);
          busy.set(agentId, callId);
          offered.push(callId);
          // The call is over a moment later: the agent is free again and both instances are told.
          setTimeout(() => {
            busy.delete(agentId);
            void agents.moveAgent(agentId, 'unreserve', Date.now()).then(() => dispatchers.forEach((x) => x.kick()));
          }, 5);
        },
        expire: () => undefined,
        callBack: async () => undefined,
      });
      return d;
    });
    const pool = new AgentLiveStore(conns[0]!, keys);
    for (let a = 0; a < 5; a++) {
      await pool.setProfile(`a${a}`, { name: `a${a}`, skills: {}, queues: ['q'] });
      await pool.setRegistered(`a${a}`, true, 1000 + a);
      await pool.moveAgent(`a${a}`, 'login', 1000 + a);
    }
    // Every call waits first (entered with increasing scores), alternating owners.
    const queues = new QueueStore(conns[0]!, keys);
    const order: string[] = [];
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 200; i++) {
      const owner = owners[i % 2]!;
      const callId = `${owner}-${String(i).padStart(3, '0')}`;
      order.push(callId);
      const d = { callId, queue: 'q', skills: {}, priority: 0, enqueuedAt: t0 + i, caller: '057100000001', excludedAgents: [], owner };
      await queues.enqueue(d, queueScore(0, d.enqueuedAt));
    }
    for (const d of dispatchers) d.kick();
    const deadline = Date.now() + 30_000;
    while (offered.length < 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      for (const d of dispatchers) d.kick();
    }
    for (const d of dispatchers) d.stop();
    expect(violations).toEqual([]);
    expect(offered).toHaveLength(200);
    expect(new Set(offered).size).toBe(200);
    // Across both instances, in the order the callers entered the queue (up to the five agents' concurrency).
    const late = offered.filter((c, n) => order.indexOf(c) > n + 5);
    expect(late, 'offered well ahead of their place').toEqual([]);
  }, 60_000);

  it("a waiting call whose owner is no registered instance holds no agent back: the next instance's call gets it", async () => {
    const log = pino({ level: 'silent' });
    const k = redisKeys(`${prefix}:orphan`);
    const agents = new AgentLiveStore(conns[0]!, k);
    const queues = new QueueStore(conns[0]!, k);
    await agents.setProfile('x1', { name: 'x1', skills: {}, queues: ['q'] });
    await agents.setRegistered('x1', true, 1000);
    await agents.moveAgent('x1', 'login', 1000);
    const t0 = Date.now() - 10_000;
    for (const [callId, owner, at] of [
      ['gone-1', 'gone', t0],
      ['i1-1', 'i1', t0 + 1],
    ] as const) {
      const d = { callId, queue: 'q', skills: {}, priority: 0, enqueuedAt: at, caller: '057100000001', excludedAgents: [], owner };
      await queues.enqueue(d, queueScore(0, at));
    }
    const delivered: string[] = [];
    const d = new Dispatcher({
      queues,
      liveAgents: agents,
      agents: new AgentMirror({ liveAgents: agents, now: () => Date.now(), log }),
      routing: { active: async () => ({ rules }), cached: { rules } } as unknown as RoutingCatalog,
      owner: 'i1',
      owners: async () => new Set(['i1', 'i2']),
      now: () => Date.now(),
      log,
      deliver: (callId) => void delivered.push(callId),
      expire: () => undefined,
      callBack: async () => undefined,
    });
    d.kick();
    const deadline = Date.now() + 3000;
    while (!delivered.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    d.stop();
    expect(delivered).toEqual(['i1-1']);
  });
});
