import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import { PgEventStore } from '../../src/features/events/event-store.js';
import type { DomainEvent, EventBody } from '../../src/core/events.js';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { reportRoutes } from '../../src/features/reports/routes.js';
import { ReportService } from '../../src/features/reports/service.js';
import { ReportsInWorker } from '../../src/features/reports/in-worker.js';
import { REPO, requireEnv } from '../support/rig.js';

/*
 * Real Postgres. One hand-made hour, 2015-03-02 09:00–10:00 Asia/Shanghai (far in the past, so
 * no other test's rows fall in it), written through the real event store (so the calls rows
 * come from the real projection). Call ids carry a unique tag; agent ids are unique 6-digit ids.
 * Every expected number below is worked out by hand in the comments.
 *
 * Calls (local times; queue = 国税 'rpt-ntax' or 地税 'rpt-ltax'):
 *   C1 57187168660  start 09:00:00, queued 09:00:30 ntax, A1 answers 09:00:40 (wait 10 s), talk 300 s → ends 09:05:40, wrap-up 30 s
 *   C2 13957168429  start 09:10:00, queued 09:10:40 ltax, hangs up 09:10:43 in queue (wait 3 s: short)
 *   C3 13957168429  start 09:13:00, queued 09:14:00 ltax, A2 answers 09:14:50 (wait 50 s, late), talk 120 s → 09:16:50 (crosses 09:15), wrap 60 s
 *   C4 057487654321 start 09:20:00, hangs up in the IVR at 09:20:30 (node main-menu)
 *   C5 01087654321  start 09:28:00, queued 09:29:00 ntax (国税/增值税), A1 rings 09:29:30, caller hangs up 09:29:40 (ringing, wait 40 s)
 *   C6 +442071234567 start 09:40:00, queued 09:44:50 ntax; A2 rings 09:44:51, no answer 09:44:56; A1 rings 09:44:57,
 *                   answers 09:45:05 (wait 15 s; offered in 09:30~09:45, answered in 09:45~10:00), talk 200 s → 09:48:25, wrap 30 s
 *   C7 57188360767  start 09:50:00, queued 09:50:20 ntax, hangs up 09:51:20 in queue (wait 60 s)
 *   C8 57185343483  start 09:55:00, ends in the IVR 09:56:00 (ended_in_ivr)
 *   C9 57188360767  2015-03-05 10:00, answered (C7's caller got through later: called back)
 *   C10 01087654321 2015-03-12 10:00, answered (after the 7-day window: C5 is not called back)
 * Agents: A1 login 08:30, paperwork 09:20–09:29, logout 10:30; A2 login 08:50, training 09:05–09:14,
 * meeting 09:50–10:10, logout 10:20; A3 login 08:40, break 08:55–09:20 and 09:52:30–10:07:30 (both cross
 * a boundary), logout 10:15.
 */
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const eventStore = new PgEventStore(pool);
const TZ = 'Asia/Shanghai';
const tag = `rpt-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
const base = 70000 + Math.floor(Math.random() * 29990);
const A1 = `${base}1`;
const A2 = `${base}2`;
const A3 = `${base}3`;
const NTAX = `rpt-ntax-${tag.slice(-6)}`;
const LTAX = `rpt-ltax-${tag.slice(-6)}`;
const id = (n: number) => `${tag}-c${n}`;
const t = (hms: string, day = '2015-03-02') => Date.parse(`${day}T${hms}+08:00`);
const S = 1000;

const reports = new ReportService({ pool, tz: TZ, shortAbandonS: 5 });
let app: FastifyInstance;
const TOKEN = 'reports-test-token-0123456789';

function ev(at: number, body: EventBody): DomainEvent {
  return { ...body, id: randomUUID(), at: new Date(at).toISOString(), v: 1 } as DomainEvent;
}

interface CallSpec {
  n: number;
  caller: string;
  start: number;
  queued?: { at: number; queue: string; line: string; subLine?: string };
  end: number;
  outcome: 'answered' | 'abandoned' | 'ended_in_ivr';
  agent?: string;
  talkMs?: number;
  abandonedAt?: 'ivr' | 'queue' | 'ringing';
  ivrNode?: string;
}

function callEvents(c: CallSpec): DomainEvent[] {
  const callId = id(c.n);
  const out = [ev(c.start, { type: 'call.started', callId, caller: c.caller, dialed: '12366', channelId: `ch-${callId}`, ivrVersion: 1 })];
  if (c.queued) {
    out.push(
      ev(c.queued.at, {
        type: 'call.queued',
        callId,
        queue: c.queued.queue,
        skills: {},
        priority: 0,
        line: c.queued.line,
        ...(c.queued.subLine ? { subLine: c.queued.subLine } : {}),
      }),
    );
  }
  const waitMs = c.queued && c.outcome === 'abandoned' ? c.end - c.queued.at : undefined;
  out.push(
    ev(c.end, {
      type: 'call.ended',
      callId,
      hungUpBy: 'caller',
      outcome: c.outcome,
      durationMs: c.end - c.start,
      queue: c.queued?.queue,
      ...(c.agent ? { agentId: c.agent } : {}),
      ...(c.talkMs !== undefined ? { talkMs: c.talkMs } : {}),
      ...(c.outcome === 'abandoned'
        ? {
            abandonedAt: c.abandonedAt,
            waitMs,
            short: (c.abandonedAt === 'ivr' ? c.end - c.start : waitMs!) < 5 * S,
            ivrNode: c.ivrNode,
            line: c.queued?.line,
            subLine: c.queued?.subLine,
          }
        : {}),
    }),
  );
  return out;
}

const state = (at: number, agentId: string, from: string, to: string, extra: { callId?: string; pauseReason?: string } = {}) =>
  ev(at, { type: 'agent.state_changed', agentId, from, to, ...extra });
const offered = (at: number, n: number, agentId: string) =>
  ev(at, { type: 'call.agent_offered', callId: id(n), agentId, channelId: `leg-${n}-${agentId}` });
const answered = (at: number, n: number, agentId: string, waitMs: number) =>
  ev(at, { type: 'call.agent_answered', callId: id(n), agentId, waitMs });
const missed = (at: number, n: number, agentId: string) =>
  ev(at, { type: 'call.agent_missed', callId: id(n), agentId, reason: 'no_answer' });

const ntax = (at: number, subLine?: string) => ({ at, queue: NTAX, line: '国税', ...(subLine ? { subLine } : {}) });
const ltax = (at: number) => ({ at, queue: LTAX, line: '地税' });

const CALLS: CallSpec[] = [
  {
    n: 1,
    caller: '57187168660',
    start: t('09:00:00'),
    queued: ntax(t('09:00:30')),
    end: t('09:05:40'),
    outcome: 'answered',
    agent: A1,
    talkMs: 300 * S,
  },
  {
    n: 2,
    caller: '13957168429',
    start: t('09:10:00'),
    queued: ltax(t('09:10:40')),
    end: t('09:10:43'),
    outcome: 'abandoned',
    abandonedAt: 'queue',
  },
  {
    n: 3,
    caller: '13957168429',
    start: t('09:13:00'),
    queued: ltax(t('09:14:00')),
    end: t('09:16:50'),
    outcome: 'answered',
    agent: A2,
    talkMs: 120 * S,
  },
  {
    n: 4,
    caller: '057487654321',
    start: t('09:20:00'),
    end: t('09:20:30'),
    outcome: 'abandoned',
    abandonedAt: 'ivr',
    ivrNode: 'main-menu',
  },
  {
    n: 5,
    caller: '01087654321',
    start: t('09:28:00'),
    queued: ntax(t('09:29:00'), '增值税'),
    end: t('09:29:40'),
    outcome: 'abandoned',
    abandonedAt: 'ringing',
    agent: A1,
  },
  {
    n: 6,
    caller: '+442071234567',
    start: t('09:40:00'),
    queued: ntax(t('09:44:50')),
    end: t('09:48:25'),
    outcome: 'answered',
    agent: A1,
    talkMs: 200 * S,
  },
  {
    n: 7,
    caller: '57188360767',
    start: t('09:50:00'),
    queued: ntax(t('09:50:20')),
    end: t('09:51:20'),
    outcome: 'abandoned',
    abandonedAt: 'queue',
  },
  { n: 8, caller: '57185343483', start: t('09:55:00'), end: t('09:56:00'), outcome: 'ended_in_ivr' },
  {
    n: 9,
    caller: '57188360767',
    start: t('10:00:00', '2015-03-05'),
    queued: ntax(t('10:00:30', '2015-03-05')),
    end: t('10:03:00', '2015-03-05'),
    outcome: 'answered',
    agent: A1,
    talkMs: 140 * S,
  },
  {
    n: 10,
    caller: '01087654321',
    start: t('10:00:00', '2015-03-12'),
    queued: ntax(t('10:00:30', '2015-03-12')),
    end: t('10:03:00', '2015-03-12'),
    outcome: 'answered',
    agent: A1,
    talkMs: 140 * S,
  },
];

const AGENT_EVENTS: DomainEvent[] = [
  // A1
  state(t('08:30:00'), A1, 'logged_out', 'available'),
  state(t('09:00:30'), A1, 'available', 'reserved', { callId: id(1) }),
  offered(t('09:00:30'), 1, A1),
  state(t('09:00:40'), A1, 'reserved', 'on_call', { callId: id(1) }),
  answered(t('09:00:40'), 1, A1, 10 * S),
  state(t('09:05:40'), A1, 'on_call', 'wrap_up', { callId: id(1) }),
  state(t('09:06:10'), A1, 'wrap_up', 'available', { callId: id(1) }),
  state(t('09:20:00'), A1, 'available', 'paused', { pauseReason: 'paperwork' }),
  state(t('09:29:00'), A1, 'paused', 'available'),
  state(t('09:29:30'), A1, 'available', 'reserved', { callId: id(5) }),
  offered(t('09:29:30'), 5, A1),
  state(t('09:29:40'), A1, 'reserved', 'available', { callId: id(5) }),
  state(t('09:44:57'), A1, 'available', 'reserved', { callId: id(6) }),
  offered(t('09:44:57'), 6, A1),
  state(t('09:45:05'), A1, 'reserved', 'on_call', { callId: id(6) }),
  answered(t('09:45:05'), 6, A1, 15 * S),
  state(t('09:48:25'), A1, 'on_call', 'wrap_up', { callId: id(6) }),
  state(t('09:48:55'), A1, 'wrap_up', 'available', { callId: id(6) }),
  state(t('10:30:00'), A1, 'available', 'logged_out'),
  // A2
  state(t('08:50:00'), A2, 'logged_out', 'available'),
  state(t('09:05:00'), A2, 'available', 'paused', { pauseReason: 'training' }),
  state(t('09:14:00'), A2, 'paused', 'available'),
  state(t('09:14:45'), A2, 'available', 'reserved', { callId: id(3) }),
  offered(t('09:14:45'), 3, A2),
  state(t('09:14:50'), A2, 'reserved', 'on_call', { callId: id(3) }),
  answered(t('09:14:50'), 3, A2, 50 * S),
  state(t('09:16:50'), A2, 'on_call', 'wrap_up', { callId: id(3) }),
  state(t('09:17:50'), A2, 'wrap_up', 'available', { callId: id(3) }),
  state(t('09:44:51'), A2, 'available', 'reserved', { callId: id(6) }),
  offered(t('09:44:51'), 6, A2),
  state(t('09:44:56'), A2, 'reserved', 'available', { callId: id(6) }),
  missed(t('09:44:56'), 6, A2),
  state(t('09:50:00'), A2, 'available', 'paused', { pauseReason: 'meeting' }),
  state(t('10:10:00'), A2, 'paused', 'available'),
  state(t('10:20:00'), A2, 'available', 'logged_out'),
  // A3
  state(t('08:40:00'), A3, 'logged_out', 'available'),
  state(t('08:55:00'), A3, 'available', 'paused', { pauseReason: 'break' }),
  state(t('09:20:00'), A3, 'paused', 'available'),
  state(t('09:52:30'), A3, 'available', 'paused', { pauseReason: 'break' }),
  state(t('10:07:30'), A3, 'paused', 'available'),
  state(t('10:15:00'), A3, 'available', 'logged_out'),
];

async function cleanup(): Promise<void> {
  await pool.query('DELETE FROM events WHERE call_id LIKE $1 OR agent_id = ANY($2::text[])', [`${tag}%`, [A1, A2, A3]]);
  await pool.query('DELETE FROM calls WHERE call_id LIKE $1', [`${tag}%`]);
  // Rollups of the far-past days used here, so none outlive the test.
  await pool.query(`DELETE FROM rpt_days WHERE tz = $1 AND day BETWEEN '2015-02-25' AND '2015-03-31'`, [TZ]);
  await pool.query(`DELETE FROM rpt_calls_5m WHERE tz = $1 AND bucket >= '2015-02-25' AND bucket < '2015-04-01'`, [TZ]);
  await pool.query(`DELETE FROM rpt_staff_5m WHERE tz = $1 AND bucket >= '2015-02-25' AND bucket < '2015-04-01'`, [TZ]);
  await pool.query(`DELETE FROM rpt_agent_day WHERE tz = $1 AND day BETWEEN '2015-02-25' AND '2015-03-31'`, [TZ]);
  await pool.query(`DELETE FROM rpt_region_day WHERE tz = $1 AND day BETWEEN '2015-02-25' AND '2015-03-31'`, [TZ]);
}

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'silent' }));
  await cleanup();
  for (const c of CALLS) await eventStore.append(callEvents(c));
  await eventStore.append(AGENT_EVENTS);
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [TOKEN]: { id: 'test', role: 'admin', via: 'bootstrap' } }),
    probes: [],
    api: [reportRoutes({ reports })],
  });
});

afterAll(async () => {
  await app?.close();
  await cleanup();
  await pool.end();
});

const day = { from: '2015-03-02', to: '2015-03-02' };
const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}` } });

describe('interval report (来电量与人力安排)', () => {
  it('counts each call at its moments, per 15 minutes, and splits staffing across boundaries', async () => {
    const r = await reports.intervals({ ...day, minutes: 15, slSeconds: 20, slTarget: 0.8 });
    const row = (label: string) => r.rows.find((x) => x.label === label)!;
    expect(r.rows.map((x) => x.label)).toEqual([
      '08:30~08:45',
      '08:45~09:00',
      '09:00~09:15',
      '09:15~09:30',
      '09:30~09:45',
      '09:45~10:00',
      '10:00~10:15',
      '10:15~10:30',
    ]);

    // 09:00~09:15: IVR C1 C2 C3 = 3; offered C1 C2 C3 = 3; answered C1 (09:00:40) C3 (09:14:50) = 2;
    // abandoned C2 = 1, short (3 s < 5 s). SL = within(C1 10 s) / (2 answered + 1 abandoned − 1 short) = 1/2.
    // ASA = (10 + 50) / 2 = 30 s. AHT = (C1 300+30, C3 120+60) / 2 = 255 s.
    const i1 = row('09:00~09:15');
    expect([i1.ivrVisits, i1.offered, i1.answered, i1.abandoned, i1.shortAbandoned]).toEqual([3, 3, 2, 1, 1]);
    expect([i1.slWithin, i1.slDenominator, i1.serviceLevel]).toEqual([1, 2, 0.5]);
    expect(i1.asaMs).toBe(30_000);
    expect(i1.ahtMs).toBe(255_000);
    // Staffing, seconds in 900: A1 available 30+530, reserved 10, on_call 300, wrap 30; A2 available 300+45,
    // training 540, reserved 5, on_call 10 (C3 from 09:14:50); A3 break 900 (since 08:55, crossing 09:00).
    // 接听 = (560+10+300+30 + 345+5+10) / 900 = 1260/900 = 1.4; 培训 540/900 = 0.6; 休息 900/900 = 1.
    expect(i1.staffing).toMatchObject({
      answering: 1.4,
      available: 1.006,
      reserved: 0.017,
      onCall: 0.344,
      wrapUp: 0.033,
      training: 0.6,
      break: 1,
      meeting: 0,
      paperwork: 0,
    });
    // Erlang C: A = 3 calls × 255 s / 900 s = 0.85 Erl. N=2: C = 0.2535, SL(20 s) = 1 − 0.2535·e^(−1.15·20/255) = 0.768 < 0.8;
    // N=3: C = 0.0607, SL = 1 − 0.0607·e^(−2.15·20/255) = 0.949 → 3 agents.
    expect(i1.trafficErlangs).toBe(0.85);
    expect(i1.agentsNeeded).toBe(3);
    expect(i1.predictedServiceLevel).toBeCloseTo(0.9487, 3);

    // 09:15~09:30: IVR C4 C5 = 2; offered C5 = 1; answered 0; abandoned C5 (ringing, 40 s, not short) = 1.
    // C3 (answered 09:14:50, ended 09:16:50) counts only in 09:00~09:15. SL = 0/1.
    const i2 = row('09:15~09:30');
    expect([i2.ivrVisits, i2.offered, i2.answered, i2.abandoned, i2.shortAbandoned]).toEqual([2, 1, 0, 1, 0]);
    expect(i2.serviceLevel).toBe(0);
    expect(i2.asaMs).toBeNull();
    // A1 available 300+30+20, paperwork 540, reserved 10; A2 on_call 110, wrap 60, available 730; A3 break 300, available 600.
    // 接听 = (350+10 + 110+60+730 + 600)/900 = 1860/900 = 2.067; 文书 = 0.6; 休息 = 300/900 = 0.333.
    expect(i2.staffing).toMatchObject({ answering: 2.067, paperwork: 0.6, break: 0.333, training: 0, meeting: 0 });
    // No answer finished here: the range AHT (330 + 180 + 230)/3 = 246.67 s. A = 246.67/900 = 0.274;
    // N=1: SL = 1 − 0.274·e^(−0.726·20/246.67) = 0.742; N=2: 0.971 → 2.
    expect(i2.agentsNeeded).toBe(2);

    // 09:30~09:45: IVR C6; C6 entered the queue at 09:44:50 (offered here) and was answered at 09:45:05 (next row).
    const i3 = row('09:30~09:45');
    expect([i3.ivrVisits, i3.offered, i3.answered, i3.abandoned]).toEqual([1, 1, 0, 0]);
    expect(i3.serviceLevel).toBeNull();
    // A1 available 897, reserved 3; A2 available 891+4, reserved 5; A3 available 900 → 2700/900 = 3.
    expect(i3.staffing.answering).toBe(3);

    // 09:45~10:00: IVR C7 C8 = 2; offered C7 = 1; answered C6 (wait 15 s ≤ 20) = 1; abandoned C7 (60 s) = 1. SL = 1/2.
    const i4 = row('09:45~10:00');
    expect([i4.ivrVisits, i4.offered, i4.answered, i4.abandoned, i4.shortAbandoned]).toEqual([2, 1, 1, 1, 0]);
    expect([i4.slWithin, i4.slDenominator]).toEqual([1, 2]);
    expect(i4.asaMs).toBe(15_000);
    expect(i4.ahtMs).toBe(230_000); // C6: talk 200 + wrap 30
    // A1 reserved 5, on_call 200, wrap 30, available 665 (900); A2 available 300, meeting 600; A3 available 450, break 450 (crosses 10:00).
    expect(i4.staffing).toMatchObject({ answering: 1.833, meeting: 0.667, break: 0.5 });

    // Around the hour: only staffing. 08:45~09:00: A1 900 + A2 600 (from 08:50) + A3 600 available, A3 break 300.
    expect(row('08:45~09:00').staffing).toMatchObject({ answering: 2.333, break: 0.333 });
    // 10:00~10:15: A1 900; A2 meeting 600 then available 300; A3 break 450 (to 10:07:30) then available 450.
    expect(row('10:00~10:15').staffing).toMatchObject({ answering: 1.833, meeting: 0.667, break: 0.5 });
    expect(row('10:00~10:15').offered).toBe(0);

    // The hour: IVR 8, offered 6, answered 3, abandoned 3 (C2, C5, C7), short 1.
    // SL = within (C1, C6) 2 / (3 + 3 − 1) = 0.4; ASA = (10 + 50 + 15)/3 = 25 s;
    // abandon rate = (3 − 1)/(6 − 1) = 0.4; longest wait C7 60 s.
    expect(r.totals).toMatchObject({
      ivrVisits: 8,
      offered: 6,
      answered: 3,
      abandoned: 3,
      shortAbandoned: 1,
      serviceLevel: 0.4,
      asaMs: 25_000,
      abandonRate: 0.4,
      longestWaitMs: 60_000,
    });
  });

  it('adds up to hour intervals and filters one queue', async () => {
    const hour = await reports.intervals({ ...day, minutes: 60, slSeconds: 20, slTarget: 0.8 });
    const h9 = hour.rows.find((x) => x.label === '09:00~10:00')!;
    // Same counts as the four quarters; 接听 = (1260 + 1860 + 2700 + 1650) s / 3600 s = 2.075.
    expect([h9.ivrVisits, h9.offered, h9.answered, h9.abandoned, h9.shortAbandoned, h9.serviceLevel]).toEqual([8, 6, 3, 3, 1, 0.4]);
    expect(h9.staffing.answering).toBe(2.075);

    // 地税 only: C2 (short abandon) and C3 (answered late). SL = 0 / (1 + 1 − 1) = 0; IVR visits = calls that reached the queue.
    const lt = await reports.intervals({ ...day, queue: LTAX, minutes: 60, slSeconds: 20, slTarget: 0.8 });
    expect(lt.totals).toMatchObject({
      ivrVisits: 2,
      offered: 2,
      answered: 1,
      abandoned: 1,
      shortAbandoned: 1,
      serviceLevel: 0,
      asaMs: 50_000,
    });

    // A 60 s target makes C3 (50 s) within: SL = (C1, C3, C6) 3 / 5 = 0.6 (a separately kept rollup).
    const sl60 = await reports.intervals({ ...day, minutes: 60, slSeconds: 60, slTarget: 0.8 });
    expect(sl60.totals.serviceLevel).toBe(0.6);
  });

  it('keeps the closed day as a rollup and notices late writes to it', async () => {
    const kinds = await pool.query(`SELECT kind FROM rpt_days WHERE tz = $1 AND day = '2015-03-02' ORDER BY kind`, [TZ]);
    expect(kinds.rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['calls:t20:s5', 'calls:t60:s5', 'staff']));
    // A late call (an IVR visit at 09:35) invalidates the stored day; the next report sees it.
    await eventStore.append(
      callEvents({ n: 11, caller: '57180000000', start: t('09:35:00'), end: t('09:36:00'), outcome: 'ended_in_ivr' }),
    );
    const after = await reports.intervals({ ...day, minutes: 15, slSeconds: 20, slTarget: 0.8 });
    expect(after.rows.find((x) => x.label === '09:30~09:45')!.ivrVisits).toBe(2);
    await pool.query('DELETE FROM events WHERE call_id = $1', [id(11)]);
    await pool.query('DELETE FROM calls WHERE call_id = $1', [id(11)]);
    const again = await reports.intervals({ ...day, minutes: 15, slSeconds: 20, slTarget: 0.8 });
    expect(again.rows.find((x) => x.label === '09:30~09:45')!.ivrVisits).toBe(1);
  });
});

describe('queue report', () => {
  it('per queue: offered, answered, abandoned, short, SL, ASA, abandon rate, longest wait', async () => {
    const r = await reports.queues({ ...day, slSeconds: 20 });
    const q = (name: string | null) => r.rows.find((x) => x.queue === name)!;
    // 国税: C1 (10 s) C5 (ringing abandon 40 s) C6 (15 s) C7 (abandon 60 s): SL = 2/4, ASA = 12.5 s, AR = 2/4.
    expect(q(NTAX)).toMatchObject({
      offered: 4,
      answered: 2,
      abandoned: 2,
      shortAbandoned: 0,
      serviceLevel: 0.5,
      asaMs: 12_500,
      abandonRate: 0.5,
      longestWaitMs: 60_000,
    });
    // 地税: C2 (short abandon) C3 (50 s): SL = 0/(2 − 1) = 0, AR = 0/(2 − 1) = 0, longest 50 s.
    expect(q(LTAX)).toMatchObject({
      offered: 2,
      answered: 1,
      abandoned: 1,
      shortAbandoned: 1,
      serviceLevel: 0,
      asaMs: 50_000,
      abandonRate: 0,
      longestWaitMs: 50_000,
    });
    expect(q(null)).toMatchObject({ offered: 6, answered: 3, abandoned: 3, serviceLevel: 0.4, abandonRate: 0.4 });
  });
});

describe('agent report', () => {
  it('offers, no-answers, AHT, time per state and pause reason, occupancy', async () => {
    const r = await reports.agents(day);
    const a = (agentId: string) => r.rows.find((x) => x.agentId === agentId)!;
    // A1: rang for C1, C5, C6; answered C1, C6; C5's caller hung up while ringing. AHT = (330 + 230)/2 = 280 s.
    // Logged in 08:30–10:30 = 7200 s: on_call 300+200, wrap 30+30, reserved 10+10+8, paperwork 540, available the rest 6072.
    // Occupancy = (500 + 60) / (500 + 60 + 6072) = 560/6632.
    expect(a(A1)).toMatchObject({ offered: 3, answered: 2, noAnswer: 0, cancelled: 1, handled: 2, ahtMs: 280_000 });
    expect(a(A1).msByState).toEqual({ available: 6_072_000, reserved: 28_000, on_call: 500_000, wrap_up: 60_000, paused: 540_000 });
    expect(a(A1).msByPauseReason).toEqual({ paperwork: 540_000 });
    expect(a(A1).occupancy).toBeCloseTo(560 / 6632, 10);
    // A2: rang for C3 (answered) and C6 (no answer). AHT 180 s. 08:50–10:20 = 5400 s: on_call 120, wrap 60,
    // reserved 5+5, training 540, meeting 600+600 = 1200, available 5400 − 120 − 60 − 10 − 1740 = 3470.
    expect(a(A2)).toMatchObject({ offered: 2, answered: 1, noAnswer: 1, cancelled: 0, ahtMs: 180_000 });
    expect(a(A2).msByPauseReason).toEqual({ training: 540_000, meeting: 1_200_000 });
    expect(a(A2).msByState.available).toBe(3_470_000);
    expect(a(A2).occupancy).toBeCloseTo(180 / 3650, 10);
    // A3: no calls; break 1500 + 900 s; occupancy 0 / (0 + 3300) = 0.
    expect(a(A3)).toMatchObject({ offered: 0, ahtMs: null, occupancy: 0, msByPauseReason: { break: 2_400_000 } });

    // One queue: that queue's offers (地税: only C3, A2), beside A2's whole state time.
    const lt = await reports.agents({ ...day, queue: LTAX });
    expect(lt.rows.map((x) => x.agentId)).toEqual([A2]);
    expect(lt.rows[0]).toMatchObject({ offered: 1, answered: 1, noAnswer: 0, ahtMs: 180_000 });
    expect(lt.rows[0]!.msByPauseReason).toEqual({ training: 540_000, meeting: 1_200_000 });
  });
});

describe('abandon list (来电放弃情况)', () => {
  it('lists who gave up, where, after how long, and whether they got through later', async () => {
    const r = await reports.abandons({ ...day, slSeconds: 20 });
    const mine = r.rows.filter((x) => x.callId.startsWith(tag));
    expect(mine.map((x) => [x.caller, x.askedAt, x.node, x.abandonedAt, x.waitMs, x.short, x.calledBack])).toEqual([
      // C2 asked 09:10:40 (01:10:40 UTC), gave up in the queue after 3 s: short; C3 from the same number answered later.
      ['13957168429', '2015-03-02T01:10:40.000Z', '地税', 'queue', 3000, true, true],
      // C4 hung up in the IVR: asked = call start, node = the IVR node, no queue wait.
      ['057487654321', '2015-03-02T01:20:00.000Z', 'main-menu', 'ivr', null, false, false],
      // C5 while ringing after 40 s; its number's next answered call (03-12) is after the 7-day window.
      ['01087654321', '2015-03-02T01:29:00.000Z', '国税/增值税', 'ringing', 40_000, false, false],
      // C7 after 60 s in the queue; C9 on 03-05 from the same number was answered: called back.
      ['57188360767', '2015-03-02T01:50:20.000Z', '国税', 'queue', 60_000, false, true],
    ]);
  });
});

describe('caller regions (异地固话来电统计)', () => {
  it('counts March 2015 by region around 0571', async () => {
    const r = await reports.regions({ from: '2015-03', to: '2015-03' });
    // Home city: C1 57187168660, C7 and C9 57188360767, C8 57185343483 = 4; Zhejiang: C4 0574… = 1;
    // other provinces: C5 and C10 010… = 2; international: C6 +44… = 1; mobile: C2 C3 13957168429 = 2.
    expect(r.rows).toEqual([
      {
        month: '2015-03',
        homeCity: 4,
        homeProvince: 1,
        otherProvince: 2,
        international: 1,
        mobile: 2,
        unknown: 0,
        outsideFixed: 4,
        total: 10,
      },
    ]);
    // Seen from Ningbo (0574), Hangzhou numbers are elsewhere in the province.
    const nb = await reports.regions({ from: '2015-03', to: '2015-03', home: '0574' });
    expect(nb.rows[0]).toMatchObject({ homeCity: 1, homeProvince: 4, otherProvince: 2 });
  });
});

describe('on a thread of their own (what the service runs)', () => {
  it('gives the same figures as in the main thread, and errors by message', async () => {
    const threaded = new ReportsInWorker({
      databaseUrl: requireEnv('DATABASE_URL'),
      poolSize: 2,
      tz: TZ,
      shortAbandonS: 5,
      logLevel: 'silent',
      log: pino({ level: 'silent' }),
    });
    try {
      const [q, a] = await Promise.all([threaded.queues({ ...day, slSeconds: 20 }), threaded.abandons({ ...day })]);
      expect(q).toEqual(await reports.queues({ ...day, slSeconds: 20 }));
      expect(a).toEqual(await reports.abandons({ ...day }));
      expect((await threaded.regions({ from: '2015-03', to: '2015-03' })).rows[0]).toMatchObject({ homeCity: 4, total: 10 });
      await expect(threaded.regions({ from: '2015-03', to: '2015-03', home: '9999' })).rejects.toThrow('unknown home area code 9999');
    } finally {
      await threaded.close();
    }
    await expect(threaded.queues({ ...day })).rejects.toThrow('closed');
  });
});

describe('HTTP', () => {
  it('serves JSON and CSV with Chinese or English headers', async () => {
    const json = await get(`/api/reports/intervals?from=2015-03-02&to=2015-03-02&queue=${NTAX}&minutes=60`);
    expect(json.statusCode).toBe(200);
    expect(json.json().totals).toMatchObject({ offered: 4, answered: 2, abandoned: 2 });

    const csv = await get('/api/reports/intervals?from=2015-03-02&to=2015-03-02&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      '日期,时间段,IVR访问量,来电量,接听量,放弃量,短时放弃,接听,培训,会议,文书,休息,其它暂停,服务水平(%),平均应答(秒),平均处理(秒),话务量(Erl),建议人数,预计服务水平(%)',
    );
    expect(lines).toContain('2015-03-02,09:00~09:15,3,3,2,1,1,1.4,0.6,0,0,1,0,50,30,255,0.85,3,94.9');
    expect(lines.at(-1)).toMatch(/^合计,,8,6,3,3,1,/);

    const en = await get('/api/reports/abandons?from=2015-03-02&format=csv&lang=en');
    expect(en.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'No.,Caller,Asked for an agent at,From node,Gave up in,Wait (s),Short,Called back,Queue,Call id',
    );
    expect(en.body).toContain(',13957168429,2015-03-02 09:10:40,地税,Queue,3,yes,yes,');

    // JSON pages (1,000 rows unless asked): count is the whole list.
    const page = (await get('/api/reports/abandons?from=2015-03-02&limit=2&offset=1')).json();
    expect([page.count, page.limit, page.offset, page.rows.map((x: { caller: string }) => x.caller)]).toEqual([
      4,
      2,
      1,
      ['057487654321', '01087654321'],
    ]);

    const regions = await get('/api/reports/regions?from=2015-03&to=2015-03&format=csv');
    expect(
      regions.body
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .slice(0, 2),
    ).toEqual(['年月,杭州本地电话,省内非杭州电话,省外电话,国际电话,小计,手机,未知,合计', '2015-03,4,1,2,1,4,2,0,10']);
    expect((await get('/api/reports/agents?from=2015-03-02&to=2015-03-02')).json().rows.length).toBeGreaterThanOrEqual(3);
    expect((await get('/api/reports/queues?from=2015-03-02&to=2015-03-02')).statusCode).toBe(200);
  });

  it('answers 400 naming the bad parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/reports/intervals?from=2015-3-2&to=2015-03-02', /^querystring\/from /],
      ['/api/reports/intervals?from=2015-02-30&to=2015-03-02', /^querystring\/from: must be a date/],
      ['/api/reports/intervals?from=2015-03-02&to=2015-03-01', /^querystring\/to: must not be before from/],
      ['/api/reports/intervals?from=2015-03-02&minutes=7', /^querystring\/minutes: must be one of 5, 10, 15, 20, 30, 60/],
      ['/api/reports/intervals?from=2015-03-02&slTarget=1.5', /^querystring\/slTarget: /],
      ['/api/reports/intervals?from=2015-03-02&format=xml', /^querystring\/format /],
      ['/api/reports/intervals?from=2015-03-02&sl_target=0.8', /^querystring\/sl_target is not an allowed parameter/],
      ['/api/reports/abandons?from=2015-03-02&queue=DROP%20TABLE', /^querystring\/queue /],
      ['/api/reports/regions?from=2015-03-02', /^querystring\/from /],
      ['/api/reports/regions?from=2015-03&home=0000', /^querystring\/home: /],
      ['/api/reports/agents?to=2015-03-02', /^querystring\/from is required/],
      ['/api/reports/queues?from=2010-01-01&to=2015-01-01', /^querystring\/to: range is longer/],
      ['/api/reports/abandons?from=2015-03-02&limit=0', /^querystring\/limit: /],
    ];
    for (const [url, want] of cases) {
      const res = await get(url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      expect(res.json().error).toMatch(want);
    }
  });
});
