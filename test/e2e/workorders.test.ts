import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  callAs,
  freshAgentId,
  freshMobile,
  randomPassword,
  startTestService,
  uniqueCaller,
  waitFor,
  type TestRig,
} from '../support/service.js';
import { testAccount } from '../support/browser.js';
import { oneAgentOnOther } from '../support/one-agent.js';
import { sipp, type SippRun } from '../support/sipp.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { callIdOf, eventsOf } from '../support/calls.js';

let rig: TestRig;
const runs: SippRun[] = [];
beforeAll(async () => {
  rig = await startTestService();
});
afterEach(() => {
  for (const r of runs.splice(0)) r.kill();
});
afterAll(async () => {
  await rig?.stop();
});

const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
async function session(role: Parameters<typeof testAccount>[1], o: Parameters<typeof testAccount>[2] = {}) {
  const who = await testAccount(rig, role, o);
  const r = await callAs(rig, undefined, 'POST', '/api/auth/login', who);
  expect(r.status).toBe(200);
  const token = r.body.token as string;
  return { username: who.username, call: (method: string, url: string, body?: unknown) => callAs(rig, token, method, url, body) };
}
/** An agent (phone) and its account, signed in. */
async function agentSession() {
  const agentId = await freshAgentId(rig);
  expect(
    (await admin('PUT', `/api/agents/${agentId}`, { name: `工单 ${agentId}`, password: randomPassword(), skills: {}, queues: [] })).status,
  ).toBe(201);
  return session('agent', { agentId });
}
/** The order's events as stored in Postgres and as they reached the Redis stream, in order. */
async function orderEvents(orderId: string) {
  const pg = (
    await rig.pool.query<{ body: { type: string } }>("SELECT body FROM events WHERE body->>'orderId' = $1 ORDER BY seq", [orderId])
  ).rows;
  const stream = (await rig.redis.xrange(`${rig.prefix}:events`, '-', '+'))
    .map(([, f]) => JSON.parse(f[f.indexOf('json') + 1]!) as { type: string; orderId?: string })
    .filter((e) => e.orderId === orderId);
  return { pg: pg.map((r) => r.body), stream };
}

describe('accounts: a liaison names its department', () => {
  it('a liaison must name an existing department, other roles none (400 naming /department); /api/me carries it', async () => {
    const base = { displayName: '联络员', role: 'liaison', password: randomPassword() };
    const none = await admin('POST', '/api/accounts', { ...base, username: 't-li-none' });
    expect(none.status).toBe(400);
    expect(none.body.error).toMatch(/^body\/department/);
    const unknown = await admin('POST', '/api/accounts', { ...base, username: 't-li-unknown', department: 'nowhere' });
    expect(unknown).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/department/) } });
    const sup = await admin('POST', '/api/accounts', { ...base, role: 'supervisor', username: 't-sup-dept', department: 'dsj' });
    expect(sup).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/department/) } });
    expect((await rig.pool.query("SELECT 1 FROM accounts WHERE username IN ('t-li-none', 't-li-unknown', 't-sup-dept')")).rowCount).toBe(0);

    const li = await session('liaison', { department: 'dsj' });
    const me = await li.call('GET', '/api/me');
    expect(me.body).toMatchObject({ role: 'liaison', department: 'dsj' });
    const departments = await li.call('GET', '/api/departments');
    expect(departments.body).toContainEqual({
      code: 'dsj',
      name: '杭州市地方税务局',
      nameEn: 'Hangzhou Local Taxation Bureau',
      active: true,
    });
    // A liaison moved to another role loses its department in the same change, or the change is refused.
    const refused = await admin('PATCH', `/api/accounts/${li.username}`, { role: 'readonly' });
    expect(refused.status).toBe(400);
    const moved = await admin('PATCH', `/api/accounts/${li.username}`, { role: 'readonly', department: null });
    expect(moved).toMatchObject({ status: 200, body: { role: 'readonly', department: null } });
  });
});

describe('work orders over the API', () => {
  it('who sees what: a 地税 liaison neither lists nor opens a 国税 order or a staff complaint (404, as if absent)', async () => {
    const agent = await agentSession();
    const ds = await session('liaison', { department: 'dsj' });
    const gs = await session('liaison', { department: 'gsj' });
    const other = await agentSession();
    const create = async (body: object) => {
      const r = await agent.call('POST', '/api/workorders', { title: '标题', content: '内容', caller: uniqueCaller(), ...body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string; status: string };
    };
    const gsOrder = await create({ type: 'transfer', department: 'gsj' });
    const staff = await create({ type: 'complaint', aboutStaff: true, department: 'dsj' });
    const report = await create({ type: 'report', department: 'dsj-jcj' });
    const dsOrder = await create({ type: 'transfer', department: 'dsj' });
    expect(dsOrder.status).toBe('assigned');

    const dsList = ((await ds.call('GET', '/api/workorders')).body as { id: string }[]).map((o) => o.id);
    expect(dsList).toContain(dsOrder.id);
    expect(dsList).not.toContain(gsOrder.id);
    expect(dsList).not.toContain(staff.id);
    expect(dsList).not.toContain(report.id);
    for (const id of [gsOrder.id, staff.id, report.id]) {
      expect((await ds.call('GET', `/api/workorders/${id}`)).status).toBe(404);
      expect((await ds.call('POST', `/api/workorders/${id}/reply`, { note: '答复' })).status).toBe(404);
    }
    // The same 404 as an order that does not exist: nothing tells them apart.
    const missing = await ds.call('GET', '/api/workorders/00000000-0000-7000-8000-000000000000');
    expect(missing).toMatchObject({ status: 404 });
    expect((await ds.call('GET', `/api/workorders/${gsOrder.id}`)).body).toEqual(missing.body);
    // Filters never widen the rule.
    expect((await ds.call('GET', '/api/workorders?department=gsj')).body).toEqual([]);
    expect(((await gs.call('GET', '/api/workorders?department=gsj')).body as { id: string }[]).map((o) => o.id)).toContain(gsOrder.id);
    // Another agent: the transfer yes, the report and the staff complaint no.
    const otherList = ((await other.call('GET', '/api/workorders?limit=500')).body as { id: string }[]).map((o) => o.id);
    expect(otherList).toContain(gsOrder.id);
    expect(otherList).not.toContain(staff.id);
    expect(otherList).not.toContain(report.id);
    expect((await other.call('GET', `/api/workorders/${report.id}`)).status).toBe(404);
    // Liaisons do not create orders nor assign or close them.
    expect((await ds.call('POST', '/api/workorders', { type: 'transfer', title: 't', content: 'c', caller: '057100000000' })).status).toBe(
      403,
    );
    expect((await ds.call('POST', `/api/workorders/${dsOrder.id}/close`, {})).status).toBe(403);
    // Bad input names its field and stores nothing.
    const before = (await rig.pool.query('SELECT count(*)::int AS n FROM work_orders')).rows[0].n;
    const bad = await agent.call('POST', '/api/workorders', {
      type: 'report',
      aboutStaff: true,
      title: 't',
      content: 'c',
      caller: '057100000000',
    });
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/aboutStaff/) } });
    expect((await agent.call('POST', '/api/workorders', { type: 'transfer', title: 't', content: 'c' })).body.error).toMatch(
      /^body\/caller/,
    );
    expect((await agent.call('POST', '/api/workorders', { type: 'transfer', title: 't', callId: 'no-such-call' })).body.error).toMatch(
      /^body\/callId/,
    );
    expect((await rig.pool.query('SELECT count(*)::int AS n FROM work_orders')).rows[0].n).toBe(before);
  });

  it('a call → an order → assigned → the department replies → the caller is called back into the call’s queue → closed', async () => {
    const { agentId, phone } = await oneAgentOnOther(rig.svc.url, rig.pool, { name: '工单测试', phoneCalls: 2, timeoutS: 120 });
    runs.push(phone);
    // The taxpayer presses 0 (a person), talks 3 s with the agent and hangs up.
    const caller = await freshMobile(rig, '138');
    const first = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 6000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 6000 }) },
      timeoutS: 60,
    });
    runs.push(first);
    const callId = await callIdOf(rig, caller);
    await waitFor('answered', async () => (await eventsOf(rig, callId)).some((e) => e.type === 'call.agent_answered'), 20_000);

    const agent = await session('agent', { agentId });
    const sup = await session('supervisor');
    const ds = await session('liaison', { department: 'dsj' });
    const created = await agent.call('POST', '/api/workorders', { type: 'transfer', title: '个税汇算退税进度', callId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const order = created.body as { id: string; caller: string; queue: string; status: string; callId: string; dueAt: string };
    expect(order).toMatchObject({ caller, callId, queue: 'other', status: 'new' });
    const id = order.id;

    expect((await sup.call('POST', `/api/workorders/${id}/assign`, { department: 'dsj', note: '请地税局答复' })).body).toMatchObject({
      status: 'assigned',
      department: 'dsj',
    });
    // The liaison answers; the agent may not answer for the department.
    expect((await agent.call('POST', `/api/workorders/${id}/reply`, { note: 'x' })).status).toBe(403);
    expect((await ds.call('POST', `/api/workorders/${id}/reply`, { note: '退税已于今日办结' })).body).toMatchObject({ status: 'replied' });
    expect((await ds.call('POST', `/api/workorders/${id}/reply`, { note: 'again' })).status).toBe(409);

    // The caller's phone behind the carrier answers the callback; the agent's phone answers again.
    await first.done;
    const carrier = sipp({
      scenario: 'taxpayer-answers-callback.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { talk_ms: 3000 },
      calls: 1,
      timeoutS: 60,
    });
    runs.push(carrier);
    const replied = await agent.call('POST', `/api/workorders/${id}/reply-caller`, { via: 'callback' });
    expect(replied.status, JSON.stringify(replied.body)).toBe(200);
    expect(replied.body.callerRepliedAt).not.toBeNull();
    const back = await waitFor(
      'the callback answered and joined the queue',
      async () =>
        (
          await rig.pool.query<{ call_id: string }>('SELECT call_id FROM calls WHERE callback_for = $1 AND dialed = $2', [
            callId,
            'callback',
          ])
        ).rows[0]?.call_id,
      30_000,
    );
    const answered = await waitFor(
      'an agent of the queue answered the callback',
      async () => (await eventsOf(rig, back)).find((e) => e.type === 'call.agent_answered'),
      30_000,
    );
    expect(answered).toMatchObject({ agentId });
    expect((await eventsOf(rig, back)).find((e) => e.type === 'call.queued')).toMatchObject({ queue: 'other' });
    expect((await eventsOf(rig, callId, 'callback.')).map((e) => e.type)).toEqual(['callback.attempted']);

    expect((await sup.call('POST', `/api/workorders/${id}/close`, { note: '已回复来电人' })).body).toMatchObject({ status: 'closed' });
    const detail = await sup.call('GET', `/api/workorders/${id}`);
    expect(detail.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['created', 'assigned', 'replied', 'caller_replied', 'closed']);
    expect(detail.body.steps[2]).toMatchObject({ actor: ds.username, department: 'dsj', note: '退税已于今日办结' });

    const types = ['workorder.created', 'workorder.assigned', 'workorder.replied', 'workorder.caller_replied', 'workorder.closed'];
    await waitFor('events stored', async () => (await orderEvents(id)).pg.length === types.length, 10_000);
    const ev = await orderEvents(id);
    expect(ev.pg.map((e) => e.type)).toEqual(types);
    expect(ev.stream.map((e) => e.type)).toEqual(types);
    expect(ev.pg[0]).toMatchObject({ orderType: 'transfer', callId, createdBy: agent.username, dueAt: order.dueAt });
    expect(ev.pg[2]).toMatchObject({ department: 'dsj', by: ds.username, late: false });
    expect(ev.pg[3]).toMatchObject({ via: 'callback', by: agent.username });
    // No event carries what was said.
    expect(JSON.stringify(ev.pg)).not.toContain('退税');

    const audit = await rig.pool.query(
      "SELECT action, actor FROM audit_log WHERE target_kind = 'workorder' AND target_id = $1 ORDER BY id",
      [id],
    );
    expect(audit.rows).toEqual([
      { action: 'workorder.create', actor: agent.username },
      { action: 'workorder.assign', actor: sup.username },
      { action: 'workorder.reply', actor: ds.username },
      { action: 'workorder.reply_caller', actor: agent.username },
      { action: 'workorder.close', actor: sup.username },
    ]);

    // Reopen with a reason: a new due time; the report counts it per department.
    const reopened = await sup.call('POST', `/api/workorders/${id}/reopen`, { reason: '来电人对答复有异议' });
    expect(reopened.body).toMatchObject({ status: 'reopened', closedAt: null });
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const report = await sup.call('GET', `/api/reports/workorders?from=${today}`);
    expect(report.status).toBe(200);
    const dsj = (report.body as { department: string; replied: number; medianReplyS: number | null }[]).find(
      (r) => r.department === 'dsj',
    )!;
    expect(dsj.replied).toBeGreaterThanOrEqual(1);
    expect(dsj.medianReplyS).not.toBeNull();
    expect((await ds.call('GET', `/api/reports/workorders?from=${today}`)).status).toBe(403);
  });
});

describe('malformed input', () => {
  it('every write answers a 4xx with a message, never a 5xx, and changes no order, step or audit entry', async () => {
    const sup = await session('supervisor');
    const created = await sup.call('POST', '/api/workorders', {
      type: 'transfer',
      title: '模糊测试',
      content: 'c',
      caller: '057100000009',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const stored = async () =>
      (
        await rig.pool.query(
          `SELECT (SELECT count(*) FROM work_orders)::int AS orders, (SELECT count(*) FROM work_order_steps)::int AS steps,
                  (SELECT count(*) FROM audit_log WHERE target_kind = 'workorder')::int AS audit,
                  (SELECT status FROM work_orders WHERE id = $1) AS status`,
          [id],
        )
      ).rows[0];
    const before = await stored();
    const anyJson = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string({ maxLength: 20 }),
      fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('type', 'title', 'content', 'caller', 'callId', 'department', 'note', 'via', 'reason', 'aboutStaff', 'x'),
        fc.jsonValue({ maxDepth: 1 }),
        { maxKeys: 4 },
      ),
    );
    // Each body is refused (a valid one would need every required field with its exact type).
    const writes = [
      '/api/workorders',
      `/api/workorders/${id}/assign`,
      `/api/workorders/${id}/reply-caller`,
      `/api/workorders/${id}/reopen`,
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), anyJson, async (url, body) => {
        const r = await sup.call('POST', url, body);
        expect(r.status, `${url} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(typeof r.body.error).toBe('string');
      }),
      { numRuns: 120 },
    );
    expect(await stored()).toEqual(before);
  });
});
