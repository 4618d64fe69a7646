import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import type { DomainEvent, EventBody } from '../../src/core/events.js';
import { METRICS_VERSION } from '../../src/core/metrics/definitions.js';
import { PgEventStore } from '../../src/features/events/event-store.js';
import { addDays } from '../../src/features/reports/days.js';
import { ReportsInWorker } from '../../src/features/reports/in-worker.js';
import { RollupSweep } from '../../src/features/reports/rollup-sweep.js';
import { ReportService } from '../../src/features/reports/service.js';
import { validDays } from '../../src/features/reports/store.js';
import { REPO, requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { waitFor } from '../support/service.js';

/*
 * Real Postgres and Redis (BullMQ), the reports' real thread. Three consecutive far-past days of
 * 2012 (picked at random, so a rerun does not meet rollups of an earlier one; no other test
 * writes 2012), three calls a day in a queue of this run's own: two answered, one abandoned in
 * the queue. The sweep's window is those three days (its clock is set to the day after them).
 */
const TZ = 'Asia/Shanghai';
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const eventStore = new PgEventStore(pool);
const tag = `sweep-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const QUEUE = `sweep-q-${tag.slice(-6)}`;
const D0 = addDays('2012-01-02', Math.floor(Math.random() * 330));
const DAYS = [D0, addDays(D0, 1), addDays(D0, 2)];
const KINDS = ['calls:t20:s5', 'calls:t30:s5', 'staff', 'regions:0571'];
const t = (day: string, hms: string) => Date.parse(`${day}T${hms}+08:00`);
const log = pino({ level: 'silent' });
const reports = new ReportService({ pool, tz: TZ, shortAbandonS: 5 });

let n = 0;
const ev = (at: number, body: EventBody): DomainEvent =>
  ({ ...body, id: randomUUID(), at: new Date(at).toISOString(), v: 1 }) as DomainEvent;

/** A call queued 20 s after it starts: answered after `waitS` with 120 s of talk, or abandoned after `waitS`. */
function call(day: string, hms: string, outcome: 'answered' | 'abandoned', waitS: number): DomainEvent[] {
  const callId = `${tag}-c${++n}`;
  const start = t(day, hms);
  const queued = start + 20_000;
  const end = queued + waitS * 1000 + (outcome === 'answered' ? 120_000 : 0);
  return [
    ev(start, { type: 'call.started', callId, caller: '057187654321', dialed: '12366', channelId: `ch-${callId}`, ivrVersion: 1 }),
    ev(queued, { type: 'call.queued', callId, queue: QUEUE, skills: {}, priority: 0, line: '国税' }),
    ev(end, {
      type: 'call.ended',
      callId,
      hungUpBy: 'caller',
      outcome,
      durationMs: end - start,
      queue: QUEUE,
      ...(outcome === 'answered'
        ? { agentId: '990001', talkMs: 120_000 }
        : { abandonedAt: 'queue', waitMs: waitS * 1000, short: false, line: '国税' }),
    }),
  ];
}

const rollupRows = async () =>
  Number(
    (
      await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM rpt_days WHERE tz = $1 AND day = ANY($2::date[]) AND kind = ANY($3::text[])`,
        [TZ, DAYS, KINDS],
      )
    ).rows[0]!.n,
  );
const validOf = async (day: string) => {
  const v = await validDays(pool, TZ, KINDS, day, day, METRICS_VERSION);
  return KINDS.every((k) => v.get(k)!.has(day));
};
/** Marks left on one day by writes that reached it after it closed. */
const marksIn = async (day: string) =>
  Number(
    (
      await pool.query<{ n: string }>(`SELECT count(*) AS n FROM rpt_stale WHERE from_at >= $1 AND to_at <= $2`, [
        new Date(t(day, '00:00:00')),
        new Date(t(addDays(day, 1), '00:00:00')),
      ])
    ).rows[0]!.n,
  );
const forget = (days: readonly string[]) => pool.query(`DELETE FROM rpt_days WHERE tz = $1 AND day = ANY($2::date[])`, [TZ, days]);

async function cleanup(): Promise<void> {
  await pool.query('DELETE FROM events WHERE call_id LIKE $1', [`${tag}%`]);
  await pool.query('DELETE FROM calls WHERE call_id LIKE $1', [`${tag}%`]);
  await forget(DAYS);
}

const threaded = new ReportsInWorker({
  databaseUrl: requireEnv('DATABASE_URL'),
  poolSize: 2,
  tz: TZ,
  shortAbandonS: 5,
  logLevel: 'silent',
  log,
});
const sweep = new RollupSweep({
  connection: redis,
  prefix: `${prefix}:bull`,
  log,
  tz: TZ,
  everyMs: 1000,
  lookbackDays: 3,
  slSeconds: [30],
  now: () => t(addDays(D0, 3), '12:00:00'),
  catchUp: (p) => threaded.catchUp(p),
});

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), log);
  await cleanup();
  for (const day of DAYS) {
    await eventStore.append([
      ...call(day, '09:00:00', 'answered', 10),
      ...call(day, '10:00:00', 'answered', 40),
      ...call(day, '11:00:00', 'abandoned', 30),
    ]);
  }
});

afterAll(async () => {
  await sweep.stop();
  await threaded.close();
  await cleanup();
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('background roll-up sweep', () => {
  it('builds the rollups of closed days with calls, with no report asked', async () => {
    expect(sweep.window()).toEqual({ from: DAYS[0], to: DAYS[2], slSeconds: [30] });
    expect(await rollupRows()).toBe(0);
    sweep.start();
    // Every kind of each of the three days: the default and the configured threshold, staffing, regions.
    await waitFor('the sweep to build three days', async () => (await rollupRows()) === 12 && sweep.status().daysBuilt === 3, 45_000);
    for (const day of DAYS) expect(await validOf(day)).toBe(true);
    const s = sweep.status();
    expect(s.runs).toBeGreaterThanOrEqual(1);
    expect(s.lastRunAt).not.toBeNull();
    // Now a report reads them: the hand-counted figures of the queue for the first day.
    const q = await reports.queues({ from: D0, to: D0, queue: QUEUE });
    expect(q.rows.find((r) => r.queue === QUEUE)).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });
  });

  it('rebuilds a day a late call reached (its mark) at the next sweep, equal to the raw rows', async () => {
    const before = sweep.status().daysBuilt;
    // A call written now into a closed day: the calls trigger leaves a mark, the day's rollup no longer counts.
    const marks = await marksIn(D0);
    await eventStore.append(call(D0, '15:00:00', 'answered', 5));
    // (Not "the day is invalid now": the sweep, every second, may already be rebuilding it.)
    expect(await marksIn(D0)).toBeGreaterThan(marks);
    await waitFor(
      'the next sweep to rebuild the marked day',
      async () => (await validOf(D0)) && sweep.status().daysBuilt === before + 1,
      30_000,
    );
    // Only the marked day: the other two stayed valid.
    expect(sweep.status().daysBuilt).toBe(before + 1);
    const fromRollups = {
      queues: await reports.queues({ from: D0, to: D0 }),
      intervals: await reports.intervals({ from: D0, to: D0, minutes: 15, slSeconds: 20, slTarget: 0.8 }),
    };
    expect(fromRollups.queues.rows.find((r) => r.queue === QUEUE)).toMatchObject({ offered: 4, answered: 3, abandoned: 1 });
    // The raw computation: the sweep stopped (it would build the day again), the day's rollups
    // forgotten, the report computes it from calls and events again.
    await sweep.stop();
    await forget([D0]);
    expect(await reports.queues({ from: D0, to: D0 })).toEqual(fromRollups.queues);
    await forget([D0]);
    expect(await reports.intervals({ from: D0, to: D0, minutes: 15, slSeconds: 20, slTarget: 0.8 })).toEqual(fromRollups.intervals);
  });

  it('two sweeps at once share the days: none is built twice', async () => {
    await forget(DAYS);
    const pools = [
      new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 }),
      new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 }),
    ];
    try {
      const [a, b] = pools.map((p) => new ReportService({ pool: p, tz: TZ, shortAbandonS: 5 }));
      const w = { from: DAYS[0]!, to: DAYS[2]!, slSeconds: [30] };
      const [ra, rb] = await Promise.all([a!.catchUp(w), b!.catchUp(w)]);
      // Both saw the three days missing, so both went for them.
      expect([ra.found, rb.found]).toEqual([3, 3]);
      expect(ra.built.filter((d) => rb.built.includes(d))).toEqual([]);
      expect([...ra.built, ...rb.built].sort()).toEqual(DAYS);
      expect(await rollupRows()).toBe(12);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});
