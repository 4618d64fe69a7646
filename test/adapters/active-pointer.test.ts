import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { RedisActivePointer } from '../../src/features/versioned-config/active-pointer.js';
import { ConfigWatch } from '../../src/features/versioned-config/config-watch.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis, a random key prefix per run; two "instances", each with its own watch.
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const redis = new Redis(requireEnv('REDIS_URL'));
const keys = redisKeys(prefix);
const watches: ConfigWatch[] = [];
afterAll(async () => {
  for (const w of watches) w.stop();
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
});

async function instance(): Promise<RedisActivePointer> {
  // Made like the service's connections (src/app/infrastructure.ts): lazy, nothing queued offline.
  const watch = new ConfigWatch(new Redis(requireEnv('REDIS_URL'), { lazyConnect: true, enableOfflineQueue: false }), keys.configChanged);
  await watch.start();
  watches.push(watch);
  return new RedisActivePointer(redis.duplicate(), keys.ivrActive, watch);
}

describe('the active version, kept in memory and dropped on any instance’s change (real Redis pub/sub)', () => {
  it('reads Redis once, then answers from memory until a version is activated anywhere', async () => {
    const [a, b] = [await instance(), await instance()];
    await b.write(3);
    // The announcement of 3 reaches a's subscription asynchronously; once it has, a reads and keeps 3.
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.read()).toBe(3);
    // Changed behind the pointers' back (no announcement): a keeps what it read. This is what
    // saves the round trip per call, and why every write must go through write().
    await redis.set(keys.ivrActive, '99');
    expect(await a.read()).toBe(3);
    // Activated on the other instance: a sees it as soon as the announcement arrives.
    await b.write(4);
    await expect.poll(() => a.read(), { timeout: 2000 }).toBe(4);
    expect(await b.read()).toBe(4);
  });

  it('without a live subscription reads Redis every time', async () => {
    const watch = new ConfigWatch(redis.duplicate(), keys.configChanged);
    watches.push(watch);
    // Never started: not subscribed.
    const p = new RedisActivePointer(redis, keys.routingActive, watch);
    await redis.set(keys.routingActive, '7');
    expect(await p.read()).toBe(7);
    await redis.set(keys.routingActive, '8');
    expect(await p.read()).toBe(8);
    await redis.del(keys.routingActive);
    expect(await p.read()).toBeUndefined();
  });
});
