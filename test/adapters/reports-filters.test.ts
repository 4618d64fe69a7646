import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { PgEventStore } from '../../src/features/events/event-store.js';
import type { DomainEvent, EventBody } from '../../src/core/events.js';
import { reportRoutes } from '../../src/features/reports/routes.js';
import { ReportService } from '../../src/features/reports/service.js';
import { REPO, requireEnv } from '../support/rig.js';

/*
 * Real Postgres, one hand-made morning far in the past (2014-06-10, Asia/Shanghai), for the
 * report filters agents= (a team's staffing) and caller= (one number's abandons).
 *   X1 (team): login 09:00, training 09:05–09:20, rung for C1 09:25:00, answers 09:25:10, wrap-up 09:30–09:30:30, logout 09:45
 *   X2 (team): login 08:50, paperwork 09:10–09:40, logout 09:50
 *   X3 (not in the team): login 09:00, break 09:00–09:30, logout 09:30
 *   C1 P1 queued 09:24:50 in Q, answered by X1; C2 P2 hangs up in the IVR 09:40; C3 P2 gives up in Q 09:42 after 60 s.
 */
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const TZ = 'Asia/Shanghai';
const tag = `rptf-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
const base = 60000 + Math.floor(Math.random() * 9990);
const [X1, X2, X3] = [`${base}1`, `${base}2`, `${base}3`];
const Q = `rptf-${tag.slice(-6)}`;
const P1 = `0571${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const P2 = `010${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
const t = (hms: string) => Date.parse(`2014-06-10T${hms}+08:00`);
const S = 1000;
const reports = new ReportService({ pool, tz: TZ, shortAbandonS: 5 });
let app: FastifyInstance;

const ev = (at: number, body: EventBody): DomainEvent =>
  ({ ...body, id: randomUUID(), at: new Date(at).toISOString(), v: 1 }) as DomainEvent;
const st = (at: number, agentId: string, from: string, to: string, extra: { callId?: string; pauseReason?: string } = {}) =>
  ev(at, { type: 'agent.state_changed', agentId, from, to, ...extra });
const id = (n: number) => `${tag}-c${n}`;
const started = (n: number, at: number, caller: string) =>
  ev(at, { type: 'call.started', callId: id(n), caller, dialed: '12366', channelId: `ch-${n}`, ivrVersion: 1 });
const queued = (n: number, at: number) => ev(at, { type: 'call.queued', callId: id(n), queue: Q, skills: {}, priority: 0, line: '国税' });

const EVENTS: DomainEvent[] = [
  started(1, t('09:24:00'), P1),
  queued(1, t('09:24:50')),
  ev(t('09:25:00'), { type: 'call.agent_offered', callId: id(1), agentId: X1, channelId: 'leg-1' }),
  ev(t('09:25:10'), { type: 'call.agent_answered', callId: id(1), agentId: X1, waitMs: 20 * S }),
  ev(t('09:30:00'), {
    type: 'call.ended',
    callId: id(1),
    hungUpBy: 'caller',
    outcome: 'answered',
    durationMs: 360 * S,
    queue: Q,
    agentId: X1,
    talkMs: 290 * S,
  }),
  started(2, t('09:39:30'), P2),
  ev(t('09:40:00'), {
    type: 'call.ended',
    callId: id(2),
    hungUpBy: 'caller',
    outcome: 'abandoned',
    durationMs: 30 * S,
    abandonedAt: 'ivr',
    ivrNode: 'main',
    short: false,
  }),
  started(3, t('09:40:30'), P2),
  queued(3, t('09:41:00')),
  ev(t('09:42:00'), {
    type: 'call.ended',
    callId: id(3),
    hungUpBy: 'caller',
    outcome: 'abandoned',
    durationMs: 90 * S,
    queue: Q,
    abandonedAt: 'queue',
    waitMs: 60 * S,
    short: false,
    line: '国税',
  }),
  // The reservation is not recorded: X1's changes go available → (rung) → on_call, as the service writes them.
  st(t('09:00:00'), X1, 'logged_out', 'available'),
  st(t('09:05:00'), X1, 'available', 'paused', { pauseReason: 'training' }),
  st(t('09:20:00'), X1, 'paused', 'available'),
  st(t('09:25:10'), X1, 'reserved', 'on_call', { callId: id(1) }),
  st(t('09:30:00'), X1, 'on_call', 'wrap_up', { callId: id(1) }),
  st(t('09:30:30'), X1, 'wrap_up', 'available'),
  st(t('09:45:00'), X1, 'available', 'logged_out'),
  st(t('08:50:00'), X2, 'logged_out', 'available'),
  st(t('09:10:00'), X2, 'available', 'paused', { pauseReason: 'paperwork' }),
  st(t('09:40:00'), X2, 'paused', 'available'),
  st(t('09:50:00'), X2, 'available', 'logged_out'),
  st(t('09:00:00'), X3, 'logged_out', 'paused', { pauseReason: 'break' }),
  st(t('09:30:00'), X3, 'paused', 'logged_out'),
];

async function cleanup(): Promise<void> {
  await pool.query('DELETE FROM events WHERE call_id LIKE $1 OR agent_id = ANY($2::text[])', [`${tag}%`, [X1, X2, X3]]);
  await pool.query('DELETE FROM calls WHERE call_id LIKE $1', [`${tag}%`]);
  for (const table of ['rpt_calls_5m', 'rpt_staff_5m'])
    await pool.query(`DELETE FROM ${table} WHERE tz = $1 AND bucket >= '2014-06-09' AND bucket < '2014-06-12'`, [TZ]);
  for (const table of ['rpt_days', 'rpt_agent_day', 'rpt_region_day'])
    await pool.query(`DELETE FROM ${table} WHERE tz = $1 AND day BETWEEN '2014-06-09' AND '2014-06-11'`, [TZ]);
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
  await cleanup();
  await new PgEventStore(pool).append(EVENTS);
  // The routes alone (authentication is tested elsewhere): their query schemas and serialisation.
  app = Fastify();
  await app.register(reportRoutes({ reports }));
});

afterAll(async () => {
  await app?.close();
  await cleanup();
  await pool.end();
});

const day = { from: '2014-06-10', to: '2014-06-10', minutes: 15, slSeconds: 20, slTarget: 0.8 };

describe('agents=: the staffing of a team', () => {
  it("counts only the named agents, ringing as reserved, beside the queue's calls", async () => {
    const r = await reports.intervals({ ...day, queue: Q, agents: [X1, X2] });
    const rows = Object.fromEntries(r.rows.map((x) => [x.label, x.staffing]));
    expect(Object.keys(rows)).toEqual(['08:45~09:00', '09:00~09:15', '09:15~09:30', '09:30~09:45', '09:45~10:00']);
    // 08:45~09:00: X2 available 600 s of 900.
    expect(rows['08:45~09:00']).toMatchObject({ answering: 0.667, training: 0, paperwork: 0, break: 0 });
    // 09:00~09:15: X1 available 300 + training 600; X2 available 600 + paperwork 300. X3's break is not the team's.
    expect(rows['09:00~09:15']).toMatchObject({ answering: 1, training: 0.667, paperwork: 0.333, break: 0, paused: 1 });
    // 09:15~09:30: X1 training 300, available 300, rung 10 (reserved), on call 290; X2 paperwork 900.
    expect(rows['09:15~09:30']).toMatchObject({ answering: 0.667, reserved: 0.011, onCall: 0.322, training: 0.333, paperwork: 1 });
    // 09:30~09:45: X1 wrap-up 30 + available 870; X2 paperwork 600 + available 300. 09:45~10:00: X2 available 300.
    expect(rows['09:30~09:45']).toMatchObject({ answering: 1.333, wrapUp: 0.033, paperwork: 0.667 });
    expect(rows['09:45~10:00']).toMatchObject({ answering: 0.333, paused: 0 });
    expect(r.totals).toMatchObject({ offered: 2, answered: 1, abandoned: 1 });

    // The whole center has X3's break; the team's figures above do not.
    const all = await reports.intervals(day);
    expect(all.rows.find((x) => x.label === '09:00~09:15')!.staffing).toMatchObject({ break: 1, training: 0.667, paperwork: 0.333 });
  });

  it('is a query parameter with a schema: echoed in the report, refused when malformed', async () => {
    const ok = await app.inject({ method: 'GET', url: `/api/reports/intervals?from=2014-06-10&agents=${X1},${X2}&queue=${Q}` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().agents).toEqual([X1, X2]);
    for (const bad of ['agents=1001;1002', 'agents=', 'caller=1']) {
      const res = await app.inject({ method: 'GET', url: `/api/reports/intervals?from=2014-06-10&${bad}` });
      expect({ bad, status: res.statusCode }).toEqual({ bad, status: 400 });
    }
  });
});

describe("caller=: one number's abandons", () => {
  it('finds IVR hang-ups, which have no queue, and combines with queue=', async () => {
    const r = await reports.abandons({ from: day.from, to: day.to, caller: P2 });
    expect([r.caller, r.count, r.rows.map((x) => [x.callId, x.abandonedAt, x.node])]).toEqual([
      P2,
      2,
      [
        [id(2), 'ivr', 'main'],
        [id(3), 'queue', '国税'],
      ],
    ]);
    expect((await reports.abandons({ from: day.from, to: day.to, caller: P2, queue: Q })).rows.map((x) => x.callId)).toEqual([id(3)]);
    expect((await reports.abandons({ from: day.from, to: day.to, caller: P1 })).count).toBe(0);
    const http = await app.inject({ method: 'GET', url: `/api/reports/abandons?from=2014-06-10&caller=${encodeURIComponent(P2)}` });
    expect([http.statusCode, http.json().caller, http.json().count]).toEqual([200, P2, 2]);
    expect((await app.inject({ method: 'GET', url: '/api/reports/abandons?from=2014-06-10&caller=x1' })).statusCode).toBe(400);
  });
});
