import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { DEFAULT_HOME } from '../../src/core/metrics/regions.js';
import { DEFAULT_DIAL_POLICY } from '../../src/core/outbound/dial-policy.js';
import { DialGuard } from '../../src/features/outbound/dial-guard.js';
import { loadAreaCodes } from '../../src/features/reports/service.js';
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
// 2030-01-10 20:00 in Shanghai (12:00 UTC): the day ends at 2030-01-10T16:00Z (a future day: Redis drops a key set to expire in the past).
let clock = Date.parse('2030-01-10T12:00:00Z');
const guard = new DialGuard({
  redis,
  key: keys.dialsToday,
  policy: { ...DEFAULT_DIAL_POLICY, maxPerNumberPerDay: 6 },
  table: loadAreaCodes(),
  home: DEFAULT_HOME,
  tz: 'Asia/Shanghai',
  now: () => clock,
});

describe('calls per number per day (DIAL_TAKE, real Redis)', () => {
  it('fifty callbacks to one number at once place exactly the cap, whatever form the number came in', async () => {
    const forms = ['13857112345', '+8613857112345', '008613857112345'];
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => guard.takeCallback(forms[i % 3]!)));
    expect(results.filter((r) => r.ok)).toHaveLength(6);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'daily_cap')).toBe(true);
    expect(await redis.get(keys.dialsToday('2030-01-10', '13857112345'))).toBe('6');
    // Offered no callback on a new call either, while another number is untouched.
    expect(await guard.mayCallBack('13857112345')).toMatchObject({ ok: false, reason: 'daily_cap' });
    expect(await guard.mayCallBack('13857199999')).toEqual({ ok: true, digits: '13857199999' });
  });

  it('the count ends at local midnight (Asia/Shanghai), and the next local day starts afresh', async () => {
    const expireAt = await redis.pexpiretime(keys.dialsToday('2030-01-10', '13857112345'));
    expect(expireAt).toBe(Date.parse('2030-01-10T16:00:00Z'));
    clock = Date.parse('2030-01-10T16:00:01Z'); // 00:00:01 on the 11th in Shanghai
    expect(await guard.takeCallback('13857112345')).toEqual({ ok: true, digits: '13857112345' });
    expect(await redis.get(keys.dialsToday('2030-01-11', '13857112345'))).toBe('1');
  });

  it('a refused number takes nothing from any count', async () => {
    expect(await guard.takeCallback('0090123456789')).toMatchObject({ ok: false, reason: 'international' });
    expect(await redis.keys(`${prefix}:dial:*:*0090*`)).toEqual([]);
  });
});
