import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { LoginLimiter, type LoginLimits } from '../../src/features/auth/login-limiter.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';

// Real Redis, a random key prefix per run, cleaned up afterwards.
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const redis = new Redis(requireEnv('REDIS_URL'));
afterAll(async () => {
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
});

const limits: LoginLimits = { perPair: 5, perIp: 40, firstBackoffMs: 2000, maxBackoffMs: 60_000, quietMs: 900_000, tokenMissesPerIp: 3 };
let clock = 1_000_000;
const limiter = new LoginLimiter(redis, redisKeys(prefix).loginFailures, limits, () => clock);

describe('login limiter (real Redis)', () => {
  it('a hundred guesses at once get exactly the free attempts, no more', async () => {
    const waits = await Promise.all(Array.from({ length: 100 }, () => limiter.attempt('zhang', '127.0.0.9')));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
  });

  it('a stranger guessing does not lock the person out from their own address', async () => {
    expect(await limiter.attempt('zhang', '127.0.0.10')).toBe(0);
  });

  it('each further attempt waits twice as long, up to the longest wait', async () => {
    const user = 'li';
    for (let i = 0; i < 5; i++) expect(await limiter.attempt(user, '127.0.0.11')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const w = await limiter.attempt(user, '127.0.0.11');
      waits.push(w);
      clock += w; // wait it out, then try again
      expect(await limiter.attempt(user, '127.0.0.11')).toBe(0);
    }
    expect(waits.slice(0, 5)).toEqual([2000, 4000, 8000, 16000, 32000]);
    expect(Math.max(...waits)).toBe(60_000);
  });

  it('a good password starts the pair afresh and does not count against the address', async () => {
    const ip = '127.0.0.12';
    for (let i = 0; i < 4; i++) expect(await limiter.attempt('wang', ip)).toBe(0); // four wrong passwords
    expect(await limiter.attempt('wang', ip)).toBe(0); // the right one
    await limiter.succeeded('wang', ip);
    for (let i = 0; i < 5; i++) expect(await limiter.attempt('wang', ip)).toBe(0);
    // Four failures before, five attempts after; the good one is not held against the address.
    expect(Number(await redis.get(redisKeys(prefix).loginFailures('ip', ip)))).toBe(9);
  });

  it('one address trying many user names is stopped at its own limit', async () => {
    const ip = '127.0.0.13';
    const waits: number[] = [];
    for (let i = 0; i < 45; i++) waits.push(await limiter.attempt(`user${i}`, ip));
    expect(waits.filter((w) => w === 0)).toHaveLength(40);
    expect(await limiter.attempt('someone-else', '127.0.0.14')).toBe(0);
  });

  it('unknown bearer tokens: an address over its limit is refused before any lookup', async () => {
    const ip = '127.0.0.15';
    expect(await limiter.tokensBlocked(ip)).toBe(false);
    for (let i = 0; i < 3; i++) expect(await limiter.tokenMissed(ip)).toBe(false);
    expect(await limiter.tokenMissed(ip)).toBe(true);
    expect(await limiter.tokensBlocked(ip)).toBe(true);
    expect(await limiter.tokensBlocked('127.0.0.16')).toBe(false);
  });
});
