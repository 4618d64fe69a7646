import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORM } from '../../src/core/quality/form.js';
import { callAs, freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';

// Quality review (质检) through the API against the real service and Postgres: the form's versions,
// reviews of recordings (rows put in `recordings` here, as the recording feature would), who sees
// which review, 403 for roles without quality access, field-named 400s that store nothing, and the
// monthly report's figures.
let rig: TestRig;
const run = randomBytes(3).toString('hex');
const tokens: Record<string, string> = {};
let agentA: string;
let agentB: string;
const recs: string[] = [];

const call = (who: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, who, method, url, body);
const admin = (method: string, url: string, body?: unknown) => call(rig.svc.config.ADMIN_TOKEN, method, url, body);
const as = (role: string) => (method: string, url: string, body?: unknown) => call(tokens[role], method, url, body);
const beijingMonth = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);

async function account(role: string, o: { agentId?: string; department?: string } = {}): Promise<string> {
  const username = `t-${role}-${run}-${randomBytes(2).toString('hex')}`;
  const password = randomPassword();
  const r = await admin('POST', '/api/accounts', { username, displayName: `测试 ${role}`, role, password, ...o });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const s = await call(undefined, 'POST', '/api/auth/login', { username, password });
  expect(s.status).toBe(200);
  return s.body.token;
}

/** A finished recording of a call answered by `agentId`, `durationMs` long. */
async function recording(agentId: string | null, o: { durationMs?: number; deleted?: boolean } = {}): Promise<string> {
  const id = `qapi-${run}-${recs.length}`;
  recs.push(id);
  await rig.pool.query(
    `INSERT INTO recordings (id, call_id, kind, name, queue, agent_id, caller, started_at, ended_at, duration_ms, retention_days, expires_at, deleted_at)
     VALUES ($1, $2, 'mix', $3, 'ntax-vat', $4, '057100000000', now() - interval '3 minutes', now(), $5, 180, now() + interval '180 days', $6)`,
    [id, `call-${id}`, `test/${id}`, agentId, o.durationMs ?? 150_000, o.deleted ? new Date() : null],
  );
  return id;
}
const reviewsOf = async (recordingId: string) =>
  Number((await rig.pool.query('SELECT count(*) FROM quality_reviews WHERE recording_id = $1', [recordingId])).rows[0].count);

// This test's form: weights 2, 3, 5 (sum 10) and different maxima, so a wrong formula shows.
const FORM = [
  { key: 'courtesy', label: '礼貌用语', labelEn: 'Courtesy', weight: 2, maxScore: 5 },
  { key: 'policy_accuracy', label: '政策准确', labelEn: 'Policy accuracy', weight: 5, maxScore: 10 },
  { key: 'record_complete', label: '记录完整', weight: 3, maxScore: 4 },
];
/** The expected total, worked out here independently: the weighted share in percent, rounded down to a tenth. */
const expectedTotal = (s: Record<string, number>) =>
  Math.floor((1000 * FORM.reduce((a, i) => a + (i.weight * s[i.key]!) / i.maxScore, 0)) / FORM.reduce((a, i) => a + i.weight, 0) + 1e-9) /
  10;

beforeAll(async () => {
  rig = await startTestService();
  agentA = await freshAgentId(rig);
  agentB = await freshAgentId(rig);
  for (const id of [agentA, agentB])
    expect(
      (await admin('PUT', `/api/agents/${id}`, { name: `坐席${id}`, password: randomPassword(), skills: {}, queues: [] })).status,
    ).toBe(201);
  tokens.agentA = await account('agent', { agentId: agentA });
  tokens.agentB = await account('agent', { agentId: agentB });
  tokens.quality = await account('quality');
  tokens.supervisor = await account('supervisor');
  tokens.readonly = await account('readonly');
  tokens.editor = await account('editor');
  tokens.liaison = await account('liaison', { department: 'dsj' });
});
afterAll(async () => {
  // Leave the shared rig with the shipped form as the current one.
  if (rig) await admin('PUT', '/api/quality/form', { items: DEFAULT_FORM });
  await rig?.stop();
});

describe('quality review over the API', () => {
  it('the form: anyone with quality access reads it; a change is a new version, audited; a bad item is a 400 naming it', async () => {
    const before = await as('agentA')('GET', '/api/quality/form');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      version: expect.any(Number),
      items: expect.any(Array),
      updatedAt: expect.any(String),
      updatedBy: expect.any(String),
    });

    expect((await as('agentA')('PUT', '/api/quality/form', { items: FORM })).status).toBe(403);
    const bad = await as('quality')('PUT', '/api/quality/form', { items: [{ ...FORM[0], weight: 0 }] });
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/items\/0\/weight/) } });
    const dup = await as('quality')('PUT', '/api/quality/form', { items: [FORM[0], FORM[0]] });
    expect(dup).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/items\/1\/key/) } });
    expect((await as('quality')('GET', '/api/quality/form')).body.version).toBe(before.body.version);

    const put = await as('quality')('PUT', '/api/quality/form', { items: FORM });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ version: before.body.version + 1, items: FORM });
    expect(put.body.updatedBy).toMatch(/^t-quality-/);
    expect((await as('agentB')('GET', '/api/quality/form')).body).toEqual(put.body);
    const audit = await rig.pool.query("SELECT actor, before, after FROM audit_log WHERE action = 'quality.form' AND target_id = $1", [
      String(put.body.version),
    ]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({
      actor: put.body.updatedBy,
      before: { version: before.body.version },
      after: { version: put.body.version },
    });
  });

  it('a reviewer scores a recording: stored with the call, agent and form version, audited, and a quality.reviewed event', async () => {
    const form = (await as('quality')('GET', '/api/quality/form')).body;
    expect(form.items).toEqual(FORM);
    const rec = await recording(agentA);
    const scores = { courtesy: 4, policy_accuracy: 7, record_complete: 4 };
    const r = await as('quality')('POST', '/api/quality/reviews', {
      recordingId: rec,
      scores,
      comments: [
        { atMs: 95_000, text: '政策解释有误：应为季度申报' },
        { atMs: 2_000, text: '开场白规范' },
      ],
      summary: '整体较好，政策口径需加强',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // 2·4/5 + 5·7/10 + 3·4/4 = 1.6 + 3.5 + 3 = 8.1 of 10.
    expect(expectedTotal(scores)).toBe(81);
    expect(r.body).toEqual({
      id: expect.any(String),
      recordingId: rec,
      callId: `call-${rec}`,
      agentId: agentA,
      reviewer: expect.stringMatching(/^t-quality-/),
      formVersion: form.version,
      scores,
      total: 81,
      comments: [
        { atMs: 2_000, text: '开场白规范' },
        { atMs: 95_000, text: '政策解释有误：应为季度申报' },
      ],
      summary: '整体较好，政策口径需加强',
      createdAt: expect.any(String),
      items: FORM,
    });
    const one = await as('quality')('GET', `/api/quality/reviews/${r.body.id}`);
    expect(one).toMatchObject({ status: 200, body: r.body });

    const event = await waitFor('the quality.reviewed event in Postgres', async () => {
      const e = await rig.pool.query<{ body: Record<string, unknown> }>("SELECT body FROM events WHERE body->>'reviewId' = $1", [
        r.body.id,
      ]);
      return e.rows[0]?.body;
    });
    expect(event).toMatchObject({
      type: 'quality.reviewed',
      recordingId: rec,
      callId: `call-${rec}`,
      agentId: agentA,
      formVersion: form.version,
      total: 81,
    });
    expect(event).not.toHaveProperty('summary');
    const audit = await rig.pool.query("SELECT after FROM audit_log WHERE action = 'quality.review' AND target_id = $1", [r.body.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].after).toMatchObject({ recordingId: rec, total: 81 });
  });

  it('a bad score, comment or recording is refused naming the field, and nothing is stored', async () => {
    const rec = await recording(agentA, { durationMs: 60_000 });
    const ok = { courtesy: 5, policy_accuracy: 10, record_complete: 4 };
    const post = (body: object) => as('quality')('POST', '/api/quality/reviews', { recordingId: rec, scores: ok, comments: [], ...body });
    const cases: Array<[object, RegExp]> = [
      [{ scores: { ...ok, courtesy: 6 } }, /^body\/scores\/courtesy: must be a whole number 0 to 5/],
      [{ scores: { ...ok, policy_accuracy: -1 } }, /^body\/scores\/policy_accuracy/],
      [{ scores: { ...ok, record_complete: 2.5 } }, /^body\/scores\/record_complete/],
      [{ scores: { courtesy: 5, policy_accuracy: 10 } }, /^body\/scores\/record_complete: is required/],
      [{ scores: { ...ok, attitude: 3 } }, /^body\/scores\/attitude: is not an item/],
      [{ comments: [{ atMs: 60_001, text: '超出录音长度' }] }, /^body\/comments\/0\/atMs/],
      [{ comments: [{ atMs: 1000, text: '' }] }, /^body\/comments\/0\/text/],
      [{ summary: '长'.repeat(2001) }, /^body\/summary/],
      [{ stars: 5 }, /^body\/stars/],
    ];
    for (const [body, error] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toMatch(error);
    }
    expect(await reviewsOf(rec)).toBe(0);
    const missing = await as('quality')('POST', '/api/quality/reviews', { recordingId: `none-${run}`, scores: ok, comments: [] });
    expect(missing).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^body\/recordingId/) } });
    // A recording retention deleted: 409; a recording with no agent: 409.
    const gone = await recording(agentA, { deleted: true });
    expect((await as('quality')('POST', '/api/quality/reviews', { recordingId: gone, scores: ok, comments: [] })).status).toBe(409);
    const nobody = await recording(null);
    expect((await as('quality')('POST', '/api/quality/reviews', { recordingId: nobody, scores: ok, comments: [] })).status).toBe(409);
    expect((await reviewsOf(gone)) + (await reviewsOf(nobody))).toBe(0);
  });

  it('an agent sees only the reviews of its own calls: its list is its own, another agent’s is 403, another’s review 404', async () => {
    const recB = await recording(agentB);
    const rB = await as('supervisor')('POST', '/api/quality/reviews', {
      recordingId: recB,
      scores: { courtesy: 5, policy_accuracy: 10, record_complete: 4 },
      comments: [],
    });
    expect(rB.status).toBe(201);
    const listA = await as('agentA')('GET', '/api/quality/reviews');
    expect(listA.status).toBe(200);
    expect(listA.body.items.length).toBeGreaterThan(0);
    expect(listA.body.items.every((r: { agentId: string }) => r.agentId === agentA)).toBe(true);
    expect((await as('agentA')('GET', `/api/quality/reviews?agentId=${agentA}`)).body).toEqual(listA.body);
    const other = await as('agentA')('GET', `/api/quality/reviews?agentId=${agentB}`);
    expect(other.status).toBe(403);
    expect((await as('agentA')('GET', `/api/quality/reviews/${rB.body.id}`)).status).toBe(404);
    expect((await as('agentA')('GET', `/api/quality/reviews?recordingId=${recB}`)).body.items).toEqual([]);
    const listB = await as('agentB')('GET', '/api/quality/reviews');
    expect(listB.body.items.map((r: { id: string }) => r.id)).toEqual([rB.body.id]);
    expect((await as('agentB')('GET', `/api/quality/reviews/${rB.body.id}`)).body).toMatchObject({ id: rB.body.id, items: FORM });
    // An agent neither reviews nor reads the center's report.
    expect((await as('agentB')('POST', '/api/quality/reviews', { recordingId: recB, scores: {}, comments: [] })).status).toBe(403);
    expect((await as('agentA')('GET', `/api/reports/quality?month=${beijingMonth()}`)).status).toBe(403);
    // Reviewers see every agent's, filtered as asked.
    const byQ = await as('quality')('GET', `/api/quality/reviews?agentId=${agentB}&month=${beijingMonth()}`);
    expect(byQ.body.items.map((r: { id: string }) => r.id)).toEqual([rB.body.id]);
  });

  it('readonly, liaison and editor get 403 on the form, the reviews and the report', async () => {
    const rec = await recording(agentA);
    for (const role of ['readonly', 'liaison', 'editor']) {
      const c = as(role);
      expect((await c('GET', '/api/quality/form')).status, role).toBe(403);
      expect((await c('PUT', '/api/quality/form', { items: FORM })).status, role).toBe(403);
      expect((await c('GET', '/api/quality/reviews')).status, role).toBe(403);
      expect((await c('GET', '/api/quality/reviews/00000000-0000-7000-8000-000000000000')).status, role).toBe(403);
      expect((await c('POST', '/api/quality/reviews', { recordingId: rec, scores: { courtesy: 5 }, comments: [] })).status, role).toBe(403);
      expect((await c('GET', `/api/reports/quality?month=${beijingMonth()}`)).status, role).toBe(403);
    }
    expect(await reviewsOf(rec)).toBe(0);
    expect((await call(undefined, 'GET', '/api/quality/reviews')).status).toBe(401);
  });

  it('the monthly report: per agent the count, mean, lowest and highest total, and each item as % of its maximum', async () => {
    const month = beijingMonth();
    const agent = await freshAgentId(rig);
    expect(
      (await admin('PUT', `/api/agents/${agent}`, { name: `质检坐席${agent}`, password: randomPassword(), skills: {}, queues: [] })).status,
    ).toBe(201);
    const sets = [
      { courtesy: 5, policy_accuracy: 10, record_complete: 4 },
      { courtesy: 3, policy_accuracy: 6, record_complete: 2 },
      { courtesy: 0, policy_accuracy: 9, record_complete: 1 },
    ];
    for (const scores of sets) {
      const r = await as('quality')('POST', '/api/quality/reviews', { recordingId: await recording(agent), scores, comments: [] });
      expect(r.status).toBe(201);
      expect(r.body.total).toBe(expectedTotal(scores));
    }
    // 2·3/5 + 5·6/10 + 3·2/4 = 5.7 of 10; 0 + 5·9/10 + 3·1/4 = 5.25 of 10.
    expect(sets.map(expectedTotal)).toEqual([100, 57, 52.5]);
    const report = await as('quality')('GET', `/api/reports/quality?month=${month}`);
    expect(report.status).toBe(200);
    expect(report.body.month).toBe(month);
    const row = report.body.rows.find((r: { agentId: string }) => r.agentId === agent);
    expect(row).toEqual({
      agentId: agent,
      agentName: `质检坐席${agent}`,
      reviews: 3,
      avgTotal: 69.8,
      minTotal: 52.5,
      maxTotal: 100,
      // courtesy (5+3+0)/3 of 5 = 53.3 %; policy (10+6+9)/3 of 10 = 83.3 %; record (4+2+1)/3 of 4 = 58.3 %.
      byItem: { courtesy: 53.3, policy_accuracy: 83.3, record_complete: 58.3 },
    });
    // Agent A's row counts exactly its reviews this month.
    const a = report.body.rows.find((r: { agentId: string }) => r.agentId === agentA);
    const listed = (await as('quality')('GET', `/api/quality/reviews?agentId=${agentA}&month=${month}&limit=200`)).body.items;
    expect(a.reviews).toBe(listed.length);
    // Another month has none of it; a month that is not one is a 400 naming it.
    const last = await as('supervisor')('GET', '/api/reports/quality?month=2001-01');
    expect(last.body.rows.find((r: { agentId: string }) => r.agentId === agent)).toBeUndefined();
    const bad = await as('quality')('GET', '/api/reports/quality?month=2026-13');
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^querystring\/month/) } });
  });

  it('pages through the list with the cursor, newest first, losing none', async () => {
    const ids: string[] = [];
    const agent = await freshAgentId(rig);
    for (let i = 0; i < 5; i++) {
      const r = await as('quality')('POST', '/api/quality/reviews', {
        recordingId: await recording(agent),
        scores: { courtesy: i, policy_accuracy: 10, record_complete: 4 },
        comments: [],
      });
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let url = `/api/quality/reviews?agentId=${agent}&limit=2`;
    for (let page = 0; page < 5; page++) {
      const r = await as('quality')('GET', url);
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((x: { id: string }) => x.id));
      if (!r.body.next) break;
      url = `/api/quality/reviews?agentId=${agent}&limit=2&cursor=${encodeURIComponent(r.body.next)}`;
    }
    expect(seen).toEqual([...ids].reverse());
    expect((await as('quality')('GET', '/api/quality/reviews?limit=0')).status).toBe(400);
    expect((await as('quality')('GET', '/api/quality/reviews?cursor=nope')).body.error).toMatch(/^querystring\/cursor/);
  });
});
