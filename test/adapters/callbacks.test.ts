import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { PgCallbackRepo } from '../../src/features/callbacks/callback-repo.js';
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
    [
      id,
      who,
      extra.dialed ?? '12366',
      minutesAgo,
      outcome,
      extra.abandonedAt ?? null,
      extra.short ?? null,
      extra.queue ?? 'ntax-vat',
      extra.waitMs ?? null,
    ],
  );
  return id;
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
});
async function event(callId: string, type: string, body: Record<string, unknown>) {
  await pool.query('INSERT INTO events (id, type, at, call_id, body) VALUES (gen_random_uuid(), $1, now(), $2, $3)', [
    type,
    callId,
    { type, callId, ...body },
  ]);
}

/** A call that kept its place for a callback (entered its queue 5 minutes in) and its call.queued. */
async function keptPlace(who: string, minutesAgo: number) {
  const id = await call(who, minutesAgo, 'callback_requested', { queue: 'ntax-vat' });
  await pool.query("UPDATE calls SET entered_queue_at = started_at + interval '5 seconds' WHERE call_id = $1", [id]);
  await event(id, 'call.queued', { queue: 'ntax-vat', skills: { vat: 4 }, priority: 2, line: '国税', subLine: '增值税' });
  return id;
}

afterAll(async () => {
  await pool.query('DELETE FROM events WHERE call_id LIKE $1', [`cb-${tag}-%`]);
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
    expect(mine(await repo.pending({ sinceMs: 86_400_000, includeShort: false, queue: 'other' })).map((x) => x.callId)).toEqual([
      voicemail,
    ]);

    // Caller 2 calls again and reaches an agent: they drop off the list.
    await call(caller(2), 1, 'answered');
    expect(mine(await repo.pending({ sinceMs: 86_400_000, includeShort: false })).map((x) => x.caller)).not.toContain(caller(2));
  });

  it('kept places still owed, with the attempts made: none answered, not given up, the caller not reached since', async () => {
    const since = new Date(Date.now() - 3_600_000);
    const neverDialled = await keptPlace(caller(20), 50);
    const dialledTwice = await keptPlace(caller(21), 40);
    for (const attempt of [1, 2])
      await event(dialledTwice, 'callback.attempted', { caller: caller(21), queue: 'ntax-vat', attempt, result: 'busy' });
    const answered = await keptPlace(caller(22), 30);
    await event(answered, 'callback.attempted', { caller: caller(22), queue: 'ntax-vat', attempt: 1, result: 'answered' });
    const givenUp = await keptPlace(caller(23), 30);
    await event(givenUp, 'callback.attempted', { caller: caller(23), queue: 'ntax-vat', attempt: 1, result: 'no_answer' });
    await event(givenUp, 'callback.failed', { caller: caller(23), queue: 'ntax-vat', attempts: 1 });
    const reachedSince = await keptPlace(caller(24), 30);
    await call(caller(24), 10, 'answered');
    const tooOld = await keptPlace(caller(25), 120);

    const repo = new PgCallbackRepo(pool);
    const mine = (await repo.keptPlaces({ since })).filter((p) => p.caller.startsWith(tag));
    expect(mine.map((p) => [p.callId, p.attempts])).toEqual([
      [neverDialled, 0],
      [dialledTwice, 2],
    ]);
    expect(mine[0]).toMatchObject({
      caller: caller(20),
      queue: 'ntax-vat',
      skills: { vat: 4 },
      priority: 2,
      line: '国税',
      subLine: '增值税',
    });
    expect(mine[0]!.enteredAt).toBe(
      (await pool.query('SELECT entered_queue_at FROM calls WHERE call_id = $1', [neverDialled])).rows[0].entered_queue_at.getTime(),
    );

    // One place, whenever it was kept: what a callback job scheduled again reads before each attempt.
    expect(await repo.attemptsSoFar(dialledTwice)).toBe(2);
    expect(await repo.attemptsSoFar(tooOld)).toBe(0);
    for (const settled of [answered, givenUp, reachedSince]) expect(await repo.attemptsSoFar(settled)).toBeUndefined();
  });
});
