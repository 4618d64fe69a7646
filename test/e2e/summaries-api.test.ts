import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';

// Call summaries through the API, against the real knowledge base: who may write which call's
// summary, field-named 400s that store nothing, the audit entry and the event, and the 热点 report.
let rig: TestRig;
const run = randomBytes(3).toString('hex');
const tokens: Record<string, string> = {};
let agentA: string;
let agentB: string;
let categoryId: number;
let articles: Array<{ id: number; question: string }>;
const path = ['问题库', `测试${run}`, '增值税', '进项税额抵扣'];
const callIds: string[] = [];

const call = (who: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, who, method, url, body);
const admin = (method: string, url: string, body?: unknown) => call(rig.svc.config.ADMIN_TOKEN, method, url, body);
const beijingDay = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** A call in history answered by `agentId`, ended `endedMinutesAgo` ago (null: still going). */
async function answeredCall(agentId: string | null, endedMinutesAgo: number | null): Promise<string> {
  const id = `sumapi-${run}-${callIds.length}`;
  callIds.push(id);
  await rig.pool.query(
    `INSERT INTO calls (call_id, caller, dialed, started_at, ended_at, outcome, agent_id, queue)
     VALUES ($1, '057100000000', '12366', now() - make_interval(mins => COALESCE($2::int, 0) + 2),
             CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(mins => $2::int) END,
             CASE WHEN $2::int IS NULL THEN NULL ELSE 'answered' END, CASE WHEN $2::int IS NULL THEN NULL ELSE $3 END, 'ntax-vat')`,
    [id, endedMinutesAgo, agentId],
  );
  return id;
}

async function account(role: string, agentId?: string): Promise<string> {
  const username = `t-${role}-${run}-${randomBytes(2).toString('hex')}`;
  const password = randomPassword();
  const r = await admin('POST', '/api/accounts', {
    username,
    displayName: `测试 ${role}`,
    role,
    password,
    ...(agentId ? { agentId } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const s = await call(undefined, 'POST', '/api/auth/login', { username, password });
  expect(s.status).toBe(200);
  return s.body.token;
}

const body = (over: Record<string, unknown> = {}) => ({
  categoryId,
  question: '进口货物的海关完税凭证能否抵扣进项税额',
  resolution: 'answered',
  notes: '已按政策答复',
  articleIds: [articles[0]!.id],
  ...over,
});

beforeAll(async () => {
  rig = await startTestService();
  agentA = await freshAgentId(rig);
  agentB = await freshAgentId(rig);
  for (const id of [agentA, agentB])
    expect(
      (await admin('PUT', `/api/agents/${id}`, { name: `坐席${id}`, password: randomPassword(), skills: { vat: 3 }, queues: ['ntax-vat'] }))
        .status,
    ).toBe(201);
  tokens.agentA = await account('agent', agentA);
  tokens.agentB = await account('agent', agentB);
  tokens.supervisor = await account('supervisor');
  tokens.readonly = await account('readonly');
  // A small published branch of the knowledge base, this run's own.
  const imported = await admin('POST', '/api/kb/import', {
    version: 1,
    articles: [
      { path, question: `海关进口增值税专用缴款书如何抵扣（${run}）`, answer: '凭海关进口增值税专用缴款书抵扣。', status: 'published' },
      { path, question: `农产品收购发票的抵扣（${run}）`, answer: '按农产品收购发票上注明的买价和扣除率计算。', status: 'published' },
      { path, question: `旅客运输服务的抵扣（${run}）`, answer: '按注明的税额抵扣。', status: 'published' },
    ],
  });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  const cats = (await admin('GET', '/api/kb/categories')).body.categories as Array<{ id: number; parentId: number | null; name: string }>;
  const byParent = (parentId: number | null, name: string) => cats.find((c) => c.parentId === parentId && c.name === name)!;
  let parent: number | null = null;
  for (const name of path) parent = byParent(parent, name).id;
  categoryId = parent!;
  const list = await admin('GET', `/api/kb/articles?categoryId=${categoryId}&status=published`);
  articles = (list.body.articles as Array<{ id: number; question: string }>)
    .map(({ id, question }) => ({ id, question }))
    .sort((a, b) => a.id - b.id);
  expect(articles).toHaveLength(3);
}, 60_000);

afterAll(async () => {
  if (rig) {
    for (const t of ['call_summary_articles', 'call_summary_versions', 'call_summaries', 'calls'])
      await rig.pool.query(`DELETE FROM ${t} WHERE call_id = ANY($1)`, [callIds]);
    for (const id of [agentA, agentB]) if (id) await admin('DELETE', `/api/agents/${id}`).catch(() => undefined);
  }
  await rig?.stop();
});

describe('call summaries API', () => {
  it('the agent who answered writes it: path and questions kept, articles opened on the call linked, audited, published', async () => {
    const id = await answeredCall(agentA, 1);
    // The agent opens an article with the call's id: the two-way link.
    expect((await call(tokens.agentA, 'GET', `/api/kb/articles/${articles[2]!.id}?callId=${id}`)).status).toBe(200);
    const before = await call(tokens.agentA, 'GET', `/api/calls/${id}/summary`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ summary: null, edit: { allowed: true, reason: null } });
    const r = await call(tokens.agentA, 'PUT', `/api/calls/${id}/summary`, body());
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.summary).toMatchObject({
      agentId: agentA,
      queue: 'ntax-vat',
      categoryId,
      categoryPath: path,
      resolution: 'answered',
      version: 1,
      articles: [articles[0], articles[2]].map((a) => ({ id: a!.id, question: a!.question })),
    });
    const audit = await rig.pool.query(`SELECT actor, after FROM audit_log WHERE action = 'call.summary' AND target_id = $1`, [id]);
    expect(audit.rows).toHaveLength(1);
    const event = await waitFor('call.summarized stored', async () => {
      const e = await rig.pool.query(`SELECT body FROM events WHERE type = 'call.summarized' AND call_id = $1`, [id]);
      return e.rows[0]?.body as Record<string, unknown> | undefined;
    });
    expect(event).toMatchObject({
      callId: id,
      agentId: agentA,
      queue: 'ntax-vat',
      categoryId,
      categoryPath: path,
      articleIds: [articles[0]!.id, articles[2]!.id],
    });

    // A correction is a second version.
    const again = await call(tokens.agentA, 'PUT', `/api/calls/${id}/summary`, body({ resolution: 'work_order', articleIds: [] }));
    expect(again.status).toBe(200);
    expect(again.body.summary).toMatchObject({ version: 2, resolution: 'work_order' });
    expect(again.body.summary.versions).toHaveLength(2);
  });

  it("another agent may not write an agent's call; a readonly account may not write or read; nothing is stored", async () => {
    const id = await answeredCall(agentA, 1);
    const b = await call(tokens.agentB, 'PUT', `/api/calls/${id}/summary`, body());
    expect(b.status).toBe(403);
    expect(b.body.error).toMatch(/only the calls it answered/);
    const ro = await call(tokens.readonly, 'PUT', `/api/calls/${id}/summary`, body());
    expect(ro.status).toBe(403);
    expect((await call(tokens.readonly, 'GET', `/api/calls/${id}/summary`)).status).toBe(403);
    expect((await call(tokens.agentB, 'GET', `/api/calls/${id}/summary`)).body.edit).toMatchObject({ allowed: false });
    expect((await rig.pool.query('SELECT 1 FROM call_summaries WHERE call_id = $1', [id])).rowCount).toBe(0);
  });

  it('bad input is a 400 naming the field, and stores nothing', async () => {
    const id = await answeredCall(agentA, 1);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ question: '第一行\n第二行' }, /^body\/question: /],
      [{ question: '问'.repeat(201) }, /^body\/question/],
      [{ resolution: 'solved' }, /^body\/resolution/],
      [{ notes: 'x'.repeat(2001) }, /^body\/notes/],
      [{ categoryId: 999_999_999 }, /^body\/categoryId: no category/],
      [{ articleIds: [articles[0]!.id, 999_999_999] }, /^body\/articleIds\/1: no article/],
      [{ articleIds: Array.from({ length: 21 }, (_, i) => i + 1) }, /^body\/articleIds/],
      [{ extra: 1 }, /^body\/extra:? is not an allowed field/],
    ];
    for (const [over, error] of cases) {
      const r = await call(tokens.agentA, 'PUT', `/api/calls/${id}/summary`, body(over));
      expect(r.status, JSON.stringify(over)).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    expect((await rig.pool.query('SELECT 1 FROM call_summaries WHERE call_id = $1', [id])).rowCount).toBe(0);
  });

  it('an unknown call is 404, a call still going 409; after the window the agent is refused and a supervisor may still correct it', async () => {
    expect((await call(tokens.agentA, 'PUT', `/api/calls/sumapi-${run}-nope/summary`, body())).status).toBe(404);
    const live = await answeredCall(null, null);
    expect((await call(tokens.agentA, 'PUT', `/api/calls/${live}/summary`, body())).status).toBe(409);
    const old = await answeredCall(agentA, 25 * 60);
    const late = await call(tokens.agentA, 'PUT', `/api/calls/${old}/summary`, body());
    expect(late.status).toBe(403);
    expect(late.body.error).toMatch(/edit window/);
    expect((await call(tokens.supervisor, 'PUT', `/api/calls/${old}/summary`, body())).status).toBe(200);
  });

  it('热点: the category and the articles appear for the day and the agent; agents may not read reports', async () => {
    const day = beijingDay();
    const r = await call(tokens.supervisor, 'GET', `/api/reports/topics?from=${day}&to=${day}&by=agent&agentId=${agentA}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.groups).toHaveLength(1);
    expect(r.body.groups[0].key).toBe(agentA);
    // Today's summarized call of agent A is the first one (the late one started yesterday). Its correction
    // ticked no article, yet the one opened during the call stays linked.
    expect(r.body.overall.categories).toEqual([{ path, categoryId, count: 1 }]);
    expect(r.body.overall.articles).toEqual([{ ...articles[2], count: 1 }]);
    expect((await call(tokens.agentA, 'GET', `/api/reports/topics?from=${day}`)).status).toBe(403);
    const bad = await call(tokens.supervisor, 'GET', `/api/reports/topics?from=${day}&to=2000-01-01`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^querystring\/to/);
  });
});
