import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import type { Principal } from '../../src/core/auth/access.js';
import type { DomainEvent } from '../../src/core/events.js';
import { canSee } from '../../src/core/workorders/visibility.js';
import { WORK_ORDER_TYPES } from '../../src/core/workorders/model.js';
import type { CallbackJob } from '../../src/features/callbacks/callback-service.js';
import { SlaJobs } from '../../src/features/workorders/sla-jobs.js';
import { PgWorkOrderRepo } from '../../src/features/workorders/workorder-repo.js';
import { WorkOrderService } from '../../src/features/workorders/workorder-service.js';
import { REPO, requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { waitFor } from '../support/service.js';

// Real Postgres and Redis (BullMQ); the SLA's working days replaced by short durations.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const events: DomainEvent[] = [];
const dialled: { job: CallbackJob; jobId: string }[] = [];
const log = pino({ level: 'silent' });
const repo = new PgWorkOrderRepo(pool);
// Reminder at 75 %: a complaint at 300 ms, escalated at 400 ms; a suggestion's jobs far away.
const service = new WorkOrderService({
  repo,
  publish: (e) => void events.push(...e),
  ctx: () => ({ now: Date.now(), newId: randomUUID }),
  sla: { durationsMs: { complaint: 400, transfer: 1200, report: 60_000, suggestion: 60_000 } },
  dialBack: async (job, jobId) => void dialled.push({ job, jobId }),
  instanceId: 'test',
  log,
});
const jobs = new SlaJobs({ connection: redis, prefix: `${prefix}:bull`, log, now: () => Date.now(), fire: (j) => service.slaFired(j) });
service.useJobs(jobs);

const sup: Principal = { id: 't-sup', role: 'supervisor', via: 'session' };
const agent: Principal = { id: `t-agent-${randomBytes(3).toString('hex')}`, role: 'agent', via: 'session', agentId: '1001' };
const liaison = (department: string): Principal => ({ id: `t-li-${department}`, role: 'liaison', via: 'session', department });
const of = (orderId: string, type?: string) => events.filter((e) => 'orderId' in e && e.orderId === orderId && (!type || e.type === type));

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), log);
  jobs.start();
});
afterAll(async () => {
  await jobs.stop();
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('work order SLA jobs (BullMQ on real Redis, orders in real Postgres)', () => {
  it('remind the department at 75 % of the time and escalate to supervisors when due', async () => {
    const o = await service.create(agent, {
      type: 'complaint',
      title: '办税厅排队太久',
      content: '投诉内容',
      caller: '057185001234',
      department: 'dsj',
    });
    await waitFor('reminded', async () => of(o.id, 'workorder.reminded').length === 1, 5000, 20);
    const reminded = await repo.get(o.id);
    expect(reminded!.remindedAt).not.toBeNull();
    expect(reminded!.escalatedAt).toBeNull();
    await waitFor('escalated', async () => of(o.id, 'workorder.escalated').length === 1, 5000, 20);
    const escalated = await repo.get(o.id);
    expect(escalated!.escalatedAt).toBeGreaterThanOrEqual(escalated!.dueAt - 50);
    expect(of(o.id, 'workorder.escalated')[0]).toMatchObject({ department: 'dsj', dueAt: new Date(o.dueAt).toISOString() });
    expect((await repo.steps(o.id)).map((s) => s.kind)).toEqual(['created', 'assigned', 'reminded', 'escalated']);
    // Overdue in the list until it is replied to.
    expect((await service.list(sup, { overdue: true, limit: 500 })).map((x) => x.id)).toContain(o.id);
    await service.reply(liaison('dsj'), o.id, '已答复');
    expect((await service.list(sup, { overdue: true, limit: 500 })).map((x) => x.id)).not.toContain(o.id);
  });

  it('an order replied to before its due time is neither reminded nor escalated', async () => {
    const o = await service.create(agent, { type: 'complaint', title: '态度', content: '内容', caller: '057185001235', department: 'gsj' });
    await service.reply(liaison('gsj'), o.id, '已处理');
    await new Promise((r) => setTimeout(r, 700));
    expect(of(o.id, 'workorder.reminded')).toEqual([]);
    expect(of(o.id, 'workorder.escalated')).toEqual([]);
    expect((await repo.get(o.id))!.escalatedAt).toBeNull();
  });

  it('reassigning sets a new due time: the first one’s jobs do nothing, the new ones fire once', async () => {
    const o = await service.create(agent, { type: 'transfer', title: '转办', content: '内容', caller: '057185001236', department: 'gsj' });
    await new Promise((r) => setTimeout(r, 700));
    const r = await service.assign(sup, o.id, 'dsj');
    expect(r.after.slaGeneration).toBe(2);
    expect(r.after.dueAt).toBeGreaterThan(o.dueAt);
    // The first generation's reminder (at 900 ms) and escalation (1200 ms) would have fired by now.
    await waitFor('escalated once', async () => of(o.id, 'workorder.escalated').length === 1, 5000, 20);
    expect(Date.now()).toBeGreaterThanOrEqual(r.after.dueAt - 50);
    await new Promise((res) => setTimeout(res, 300));
    expect(of(o.id, 'workorder.reminded')).toHaveLength(1);
    expect(of(o.id, 'workorder.escalated')).toHaveLength(1);
    expect(of(o.id, 'workorder.escalated')[0]).toMatchObject({ department: 'dsj' });
  });

  it('jobs live in Redis: scheduled by an instance that stops, they fire on the next one', async () => {
    const prefix2 = `${prefix}:restart`;
    const conn = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    const before = new SlaJobs({ connection: conn, prefix: prefix2, log, now: () => Date.now(), fire: (j) => service.slaFired(j) });
    // This "instance" schedules but never runs a worker, and is gone before the jobs are due.
    service.useJobs(before);
    const o = await service.create(agent, { type: 'complaint', title: '重启', content: '内容', caller: '057185001238', department: 'czj' });
    service.useJobs(jobs);
    await before.stop();
    const after = new SlaJobs({ connection: conn, prefix: prefix2, log, now: () => Date.now(), fire: (j) => service.slaFired(j) });
    after.start();
    try {
      await waitFor('escalated after the restart', async () => of(o.id, 'workorder.escalated').length === 1, 5000, 20);
      expect(of(o.id, 'workorder.reminded')).toHaveLength(1);
    } finally {
      await after.stop();
      conn.disconnect();
    }
  });

  it('a job that fires again does nothing the second time', async () => {
    const o = await service.create(agent, {
      type: 'suggestion',
      title: '建议',
      content: '内容',
      caller: '057185001237',
      department: 'czj',
    });
    const gen = (await repo.get(o.id))!.slaGeneration;
    await service.slaFired({ orderId: o.id, kind: 'escalate', generation: gen });
    await service.slaFired({ orderId: o.id, kind: 'escalate', generation: gen });
    await service.slaFired({ orderId: o.id, kind: 'remind', generation: gen });
    expect(of(o.id, 'workorder.escalated')).toHaveLength(1);
    expect(of(o.id, 'workorder.reminded')).toEqual([]);
    expect((await repo.steps(o.id)).filter((s) => s.kind === 'escalated')).toHaveLength(1);
  });
});

describe('the list is filtered in SQL by the same rule as core’s canSee', () => {
  it('for every kind of principal, over orders of every type, department and creator', async () => {
    const creators: Principal[] = [agent, { ...agent, id: `${agent.id}-b` }];
    const made: string[] = [];
    for (const type of WORK_ORDER_TYPES)
      for (const department of ['gsj', 'dsj', undefined])
        for (const by of creators)
          for (const aboutStaff of type === 'complaint' ? [false, true] : [false]) {
            const o = await service.create(by, { type, aboutStaff, title: `t-${type}`, content: 'c', caller: '057185009999', department });
            made.push(o.id);
          }
    const readers: Principal[] = [sup, { id: 'admin', role: 'admin', via: 'session' }, liaison('dsj'), liaison('gsj'), ...creators];
    for (const p of readers) {
      const listed = new Set((await service.list(p, { limit: 500 })).map((o) => o.id));
      for (const id of made) {
        const o = (await repo.get(id))!;
        expect(listed.has(id), `${p.role} ${p.id} ${o.type} staff=${o.aboutStaff} ${o.department} by ${o.createdBy}`).toBe(canSee(p, o));
      }
    }
    // readonly sees nothing (the route refuses it anyway).
    expect(await service.list({ id: 'ro', role: 'readonly', via: 'session' }, { limit: 10 })).toEqual([]);
  });
});
