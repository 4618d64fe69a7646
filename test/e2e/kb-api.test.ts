import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, freshAgentId, randomPassword, startTestService, type TestRig } from '../support/service.js';

/* The knowledge base's API through the running service: who may do what, and bad input named. */
let rig: TestRig;
let agentId: string;
const run = randomBytes(3).toString('hex');
const tokens: Record<string, string> = {};
const call = (who: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, who && tokens[who], method, url, body);
const admin = (method: string, url: string, body?: unknown) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
let category: number;

beforeAll(async () => {
  rig = await startTestService();
  agentId = await freshAgentId(rig);
  expect(
    (
      await admin('PUT', `/api/agents/${agentId}`, {
        name: `坐席${agentId}`,
        password: randomPassword(),
        skills: { vat: 3 },
        queues: ['ntax-vat'],
      })
    ).status,
  ).toBe(201);
  for (const [name, role] of [
    ['editor', 'editor'],
    ['editor2', 'editor'],
    ['agent', 'agent'],
    ['supervisor', 'supervisor'],
  ] as const) {
    const password = randomPassword();
    const username = `kb-${name}-${run}`;
    const r = await admin('POST', '/api/accounts', {
      username,
      displayName: `知识库 ${name}`,
      role,
      password,
      ...(role === 'agent' ? { agentId } : {}),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    tokens[name] = (await call(undefined, 'POST', '/api/auth/login', { username, password })).body.token;
  }
  const c = await call('editor', 'POST', '/api/kb/categories', { parentId: null, name: `接口-${run}` });
  expect(c.status, JSON.stringify(c.body)).toBe(201);
  category = c.body.id;
});
afterAll(async () => {
  if (agentId) await admin('DELETE', `/api/agents/${agentId}`).catch(() => undefined);
  await rig?.stop();
});

const article = (question: string) => ({ categoryId: category, question, answer: '答案。', keywords: ['测试'] });

describe('knowledge base API access', () => {
  it('an editor writes, another reviews and publishes; an agent then finds, opens and counts it', async () => {
    const a = await call('editor', 'POST', '/api/kb/articles', article(`跨境电商出口退税-${run}？`));
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ status: 'draft', version: 1, categoryPath: [`接口-${run}`] });
    const id = a.body.id;
    expect((await call('editor', 'POST', `/api/kb/articles/${id}/review`, { decision: 'approve' })).status).toBe(403);
    expect((await call('editor2', 'POST', `/api/kb/articles/${id}/review`, { decision: 'approve', comment: '好' })).body.status).toBe(
      'reviewed',
    );
    expect((await call('editor2', 'POST', `/api/kb/articles/${id}/publish`)).body.status).toBe('published');

    const s = await call('agent', 'GET', `/api/kb/search?q=${encodeURIComponent('跨境电商出口')}&categoryId=${category}`);
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body.results[0]).toMatchObject({ id, status: 'published' });
    expect(s.body.results[0].questionHtml).toContain('<mark>');
    expect(typeof s.body.tookMs).toBe('number');

    const open = await call('agent', 'GET', `/api/kb/articles/${id}?callId=kb-call-${run}`);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ id, hits: 1, favourite: { private: false, public: false }, reviewer: `kb-editor2-${run}` });
    expect((await call('agent', 'GET', `/api/kb/articles/${id}/versions`)).body.versions).toHaveLength(1);
    expect((await call('agent', 'PUT', `/api/kb/articles/${id}/favourite`, { scope: 'private', on: true })).status).toBe(204);
    expect((await call('agent', 'GET', '/api/kb/favourites')).body.private.map((x: { id: number }) => x.id)).toEqual([id]);

    const audit = await admin('GET', `/api/audit?targetKind=kb_article&targetId=${id}`);
    expect(audit.body.map((e: { action: string }) => e.action).sort()).toEqual([
      'kb.article_approve',
      'kb.article_create',
      'kb.article_publish',
      'kb.favourite',
    ]);
  });

  it('an agent may not write, publish, import nor see drafts (403)', async () => {
    const draft = (await call('editor', 'POST', '/api/kb/articles', article(`草稿-${run}？`))).body.id;
    expect((await call('agent', 'POST', '/api/kb/articles', article('x？'))).status).toBe(403);
    expect((await call('agent', 'PUT', `/api/kb/articles/${draft}`, { ...article('x？'), version: 1 })).status).toBe(403);
    expect((await call('agent', 'POST', `/api/kb/articles/${draft}/publish`)).status).toBe(403);
    expect((await call('agent', 'POST', `/api/kb/articles/${draft}/review`, { decision: 'approve' })).status).toBe(403);
    expect((await call('agent', 'POST', '/api/kb/categories', { parentId: null, name: 'x' })).status).toBe(403);
    expect((await call('agent', 'POST', '/api/kb/import', { version: 1, articles: [] })).status).toBe(403);
    expect((await call('agent', 'GET', '/api/kb/export')).status).toBe(403);
    expect((await call('agent', 'GET', `/api/kb/articles?status=draft&categoryId=${category}`)).status).toBe(403);
    expect((await call('agent', 'GET', `/api/kb/articles/${draft}`)).status).toBe(404);
    expect((await call('agent', 'PUT', `/api/kb/articles/${draft}/favourite`, { scope: 'public', on: true })).status).toBe(403);
    expect((await call('agent', 'PUT', `/api/kb/articles/${draft}/favourite`, { scope: 'private', on: true })).status).toBe(404);
    // A supervisor keeps the public favourites, but is no editor.
    expect((await call('supervisor', 'POST', '/api/kb/articles', article('x？'))).status).toBe(403);
    const list = await call('editor', 'GET', `/api/kb/articles?status=draft&categoryId=${category}`);
    expect(list.body.articles.map((x: { id: number }) => x.id)).toContain(draft);
  });

  it('bad input is a 400 naming the field, and nothing is stored', async () => {
    const before = (await call('editor', 'GET', `/api/kb/articles?categoryId=${category}`)).body.total;
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/kb/articles', { ...article('q？'), question: '' }, 'body/question'],
      ['POST', '/api/kb/articles', { ...article('q？'), colour: 'red' }, 'body/colour'],
      [
        'POST',
        '/api/kb/articles',
        { ...article('q？'), attachments: [{ name: 'a', url: 'javascript:alert(1)' }] },
        'body/attachments/0/url',
      ],
      ['POST', '/api/kb/articles', { ...article('q？'), categoryId: 99_999_999 }, 'body/categoryId'],
      [
        'POST',
        '/api/kb/import',
        { version: 1, articles: [{ path: ['x'], question: 'q', answer: 'a', status: 'secret' }] },
        'body/articles/0/status',
      ],
    ];
    for (const [method, url, body, field] of cases) {
      const r = await call('editor', method, url, body);
      expect([r.status, r.body.error]).toEqual([400, expect.stringContaining(field)]);
    }
    expect((await call('editor', 'GET', '/api/kb/search?q=')).status).toBe(400);
    expect((await call('editor', 'GET', `/api/kb/search?q=x&limit=abc`)).body.error).toContain('limit');
    expect((await call('editor', 'GET', `/api/kb/articles?categoryId=${category}`)).body.total).toBe(before);
  });

  it('imports CSV and exports both formats', async () => {
    const csv = `path,question,answer,basis,keywords,region,department,status\r\n导出-${run} > 发票,发票怎么验真-${run}？,在查验平台查验。,,发票查验,,,published\r\n`;
    const r = await fetch(`${rig.svc.url}/api/kb/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.editor}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect([r.status, await r.json()]).toEqual([200, { categories: 2, articles: 1 }]);
    const json = await call('editor', 'GET', '/api/kb/export?format=json');
    expect(json.status).toBe(200);
    expect(json.body.articles).toContainEqual(
      expect.objectContaining({ question: `发票怎么验真-${run}？`, path: [`导出-${run}`, '发票'], keywords: ['发票查验'] }),
    );
    const c = await call('editor', 'GET', '/api/kb/export?format=csv');
    expect(c.headers.get('content-type')).toContain('text/csv');
    expect(c.body).toContain(`导出-${run} > 发票,发票怎么验真-${run}？,在查验平台查验。,,发票查验,,,published`);
  });
});
