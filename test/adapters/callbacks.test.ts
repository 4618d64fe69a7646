import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { PgCallbackRepo } from '../../src/adapters/postgres/callback-repo.js';
import { REPO, requireEnv } from '../support/rig.js';

// Real Postgres. Callers get a prefix no other test uses, and are removed afterwards.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const tag = `9${Date.now() % 1e7}`;
const caller = (n: number) => `${tag}${String(n).padStart(3, '0')}`;
let seq = 0;

async function call(who: string, minutesAgo: number, outcome: string, extra: Record<string, unknown> = {}) {
  const id = `cb-${tag}-${seq++}`;
  await pool.query(
    `INSERT INTO calls (call_id, caller, dialed, started_at, ended_at, outcome, abandoned_at, short_abandon, queue, wait_ms)
     VALUES ($1, $2, $3, now() - make_interval(mins => $4), now() - make_interval(mins => $4) + interval '30 seconds', $5, $6, $7, $8, $9)`,
    [id, who, extra.dialed ?? '12366', minutesAgo, outcome, extra.abandonedAt ?? null, extra.short ?? null, extra.queue ?? 'ntax-vat', extra.waitMs ?? null],
  );
  return id;
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
});
afterAll(async () => {
  await pool.query('DELETE FROM calls WHERE caller LIKE $1', [`${tag}%`]);
  await pool.end();
});

describe('callers to call back (Postgres)', () => {
  it('lists the latest unanswered call per caller, clears once the caller reaches an agent, and leaves out short abandons', async () => {
    const abandonedThenAnswered = await call(caller(1), 60, 'abandoned', { abandonedAt: 'queue', waitMs: 40_000 });
    await call(caller(1), 30, 'answered');
    const stillWaiting = await call(caller(2), 50, 'abandoned', { abandonedAt: 'ringing', waitMs: 20_000 });
    await call(caller(3), 40, 'abandoned', { abandonedAt: 'queue', short: true, waitMs: 2000 });
    const voicemail = await call(caller(4), 20, 'voicemail', { queue: 'other' });
    // Answered earlier, abandoned later: still to call back.
    await call(caller(5), 90, 'answered');
    const later = await call(caller(5), 10, 'abandoned', { abandonedAt: 'ivr' });

    const repo = new PgCallbackRepo(pool);
    const mine = (xs: Awaited<ReturnType<PgCallbackRepo['pending']>>) => xs.filter((x) => x.caller.startsWith(tag));
    const list = mine(await repo.pending({ sinceMs: 86_400_000, includeShort: false }));
    expect(list.map((x) => x.callId)).toEqual([stillWaiting, voicemail, later]);
    expect(list.map((x) => x.callId)).not.toContain(abandonedThenAnswered);
    expect(list[0]).toMatchObject({ caller: caller(2), outcome: 'abandoned', abandonedAt: 'ringing', waitMs: 20_000 });

    expect(mine(await repo.pending({ sinceMs: 86_400_000, includeShort: true })).map((x) => x.caller)).toContain(caller(3));
    expect(mine(await repo.pending({ sinceMs: 86_400_000, includeShort: false, queue: 'other' })).map((x) => x.callId)).toEqual([voicemail]);

    // Caller 2 calls again and reaches an agent: they drop off the list.
    await call(caller(2), 1, 'answered');
    expect(mine(await repo.pending({ sinceMs: 86_400_000, includeShort: false })).map((x) => x.caller)).not.toContain(caller(2));
  });
});
