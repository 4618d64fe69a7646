import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigLock } from '../../src/features/versioned-config/config-lock.js';
import { requireEnv } from '../support/rig.js';

// Real Postgres; two pools stand for two service instances sharing the database.
const pools = [0, 1].map(() => new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 }));
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ConfigLock', () => {
  it('runs changes one at a time, from one instance and across instances', async () => {
    const [a, b] = pools.map((p) => new ConfigLock(p)) as [ConfigLock, ConfigLock];
    let inside = 0;
    let most = 0;
    const order: string[] = [];
    const change = (name: string) => async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(15);
      order.push(name);
      inside--;
      return name;
    };
    // More changes per instance than its pool has connections: they queue in-process, not on the pool.
    const results = await Promise.all([1, 2, 3, 4].flatMap((i) => [a.run(change(`a${i}`)), b.run(change(`b${i}`))]));
    expect(most).toBe(1);
    expect(results.sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4']);
    expect(order.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('a change that fails gives its error and lets the next change run', async () => {
    const [a, b] = pools.map((p) => new ConfigLock(p)) as [ConfigLock, ConfigLock];
    await expect(
      a.run(async () => {
        throw new Error('bad version');
      }),
    ).rejects.toThrow('bad version');
    expect(await b.run(async () => 'next')).toBe('next');
    expect(await a.run(async () => 'again')).toBe('again');
  });
});
