import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import type { Principal } from '../../src/core/auth/access.js';
import { buildKb } from '../../src/features/kb/index.js';
import { KbError } from '../../src/features/kb/kb-errors.js';
import { REPO, requireEnv } from '../support/rig.js';

/* Real Postgres: an article's life (versions, review, publish), opens on a call, favourites, import and export. */
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const { kb, transfer } = buildKb(pool);
const run = randomBytes(4).toString('hex');
const who = (id: string, role: Principal['role']): Principal => ({ id: `${id}-${run}`, role, via: 'session' });
const wang = who('wang', 'editor');
const li = who('li', 'editor');
const agent = who('agent', 'agent');
let root: number;
let leaf: number;

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof KbError) return { status: err.status, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
};
const rowCount = async (sql: string, args: unknown[]) => (await pool.query(sql, args)).rowCount;

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'warn' }));
  root = (await kb.createCategory(null, `测试库-${run}`)).id;
  leaf = (await kb.createCategory((await kb.createCategory(root, '国税')).id, '增值税')).id;
});
afterAll(async () => {
  await pool.end();
});

describe('an article’s life', () => {
  it('is written as a draft, edited into versions, reviewed by someone else, published, retired', async () => {
    const a = await kb.create(
      { categoryId: leaf, question: '小规模纳税人如何申报增值税？', answer: '按季度申报。', keywords: ['申报', '申报', ' 季度 '] },
      wang,
    );
    expect(a).toMatchObject({ status: 'draft', version: 1, author: wang.id, reviewer: null, keywords: ['申报', '季度'], hotness: 0 });
    expect(a.categoryPath).toEqual([`测试库-${run}`, '国税', '增值税']);
    // Agents see published articles only.
    expect(await kb.open(a.id, agent, undefined)).toBeUndefined();

    const stale = await refusal(kb.update(a.id, { categoryId: leaf, question: a.question, answer: 'x', version: 2 }, li));
    expect(stale.status).toBe(409);
    const b = await kb
      .update(a.id, { categoryId: leaf, question: a.question, answer: '按季度申报，季度销售额未超过30万元免征。', version: 1 }, li)
      .then((r) => r.after);
    expect(b).toMatchObject({ version: 2, status: 'draft' });

    // li wrote version 2 and wang version 1: neither may review it.
    for (const p of [wang, li])
      expect(await refusal(kb.act(a.id, 'approve', p))).toMatchObject({
        status: 403,
        message: expect.stringContaining('never the author'),
      });
    const zhao = who('zhao', 'editor');
    expect(await refusal(kb.act(a.id, 'publish', zhao))).toMatchObject({ status: 409 });
    expect((await kb.act(a.id, 'approve', zhao)).after).toMatchObject({ status: 'reviewed', reviewer: zhao.id });
    const pub = (await kb.act(a.id, 'publish', zhao)).after;
    expect(pub.status).toBe('published');
    expect(pub.publishedAt).not.toBeNull();

    const versions = await kb.versions(a.id);
    expect(versions.map((v) => [v.version, v.editedBy, v.status])).toEqual([
      [2, li.id, 'published'],
      [1, wang.id, 'draft'],
    ]);
    expect(versions[1]!.answer).toBe('按季度申报。');

    expect((await kb.act(a.id, 'retire', zhao)).after.status).toBe('retired');
    expect(await kb.open(a.id, agent, undefined)).toBeUndefined();
  });

  it('counts an agent’s opens as hits and links opens on a call to that call', async () => {
    const a = await publish({ question: `开票-${run}？`, answer: '可以。' });
    const callId = `call-${run}`;
    expect((await kb.open(a, agent, undefined))!.hits).toBe(1);
    expect((await kb.open(a, agent, callId))!.hits).toBe(2);
    // An editor browsing does not count; on a call it does.
    expect((await kb.open(a, wang, undefined))!.hits).toBe(2);
    expect((await kb.open(a, wang, callId))!.hits).toBe(3);
    expect(await kb.lookup.openedOnCall(callId)).toEqual([a]);
    expect(await kb.lookup.articles([a])).toEqual([{ id: a, question: `开票-${run}？` }]);
    expect(await kb.lookup.categoryPath(leaf)).toEqual([`测试库-${run}`, '国税', '增值税']);
  });

  it('keeps favourites private per user, and public ones for editors and supervisors only', async () => {
    const a = await publish({ question: `收藏-${run}？`, answer: '好。' });
    await kb.favourite(a, 'private', true, agent);
    expect((await kb.favourites(agent)).private.map((x) => x.id)).toEqual([a]);
    expect((await kb.favourites(who('other', 'agent'))).private).toEqual([]);
    expect(await refusal(kb.favourite(a, 'public', true, agent))).toMatchObject({ status: 403 });
    await kb.favourite(a, 'public', true, who('boss', 'supervisor'));
    expect((await kb.favourites(agent)).public.map((x) => x.id)).toContain(a);
    expect((await kb.open(a, agent, undefined))!.favourite).toEqual({ private: true, public: true });
    await kb.favourite(a, 'public', false, wang);
    await kb.favourite(a, 'private', false, agent);
    expect((await kb.open(a, agent, undefined))!.favourite).toEqual({ private: false, public: false });
  });

  it('refuses bad fields by name and stores nothing', async () => {
    const before = await rowCount('SELECT 1 FROM kb_articles WHERE category_id = $1', [leaf]);
    expect(
      await refusal(
        kb.create({ categoryId: leaf, question: 'q', answer: 'a', attachments: [{ name: 'x', url: 'javascript:alert(1)' }] }, wang),
      ),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining('body/attachments/0/url'),
    });
    expect(await refusal(kb.create({ categoryId: 99_999_999, question: 'q', answer: 'a' }, wang))).toMatchObject({
      status: 400,
      message: expect.stringContaining('body/categoryId'),
    });
    expect(await refusal(kb.create({ categoryId: leaf, question: 'q', answer: 'a', related: [99_999_999] }, wang))).toMatchObject({
      message: expect.stringContaining('body/related'),
    });
    expect(await rowCount('SELECT 1 FROM kb_articles WHERE category_id = $1', [leaf])).toBe(before);
  });

  it('keeps related articles and attachments by reference', async () => {
    const r = await publish({ question: `相关-${run}？`, answer: '见下。' });
    const a = await kb.create(
      {
        categoryId: leaf,
        question: `主-${run}？`,
        answer: '答。',
        related: [r],
        attachments: [{ name: '公告', url: 'https://www.chinatax.gov.cn/x.pdf' }],
      },
      wang,
    );
    expect(a.related).toEqual([{ id: r, question: `相关-${run}？` }]);
    expect(a.attachments).toEqual([{ name: '公告', url: 'https://www.chinatax.gov.cn/x.pdf' }]);
  });

  it('deletes only an empty category, and never moves one under itself', async () => {
    const c = await kb.createCategory(root, `空-${run}`);
    expect(await refusal(kb.deleteCategory(root))).toMatchObject({ status: 409 });
    expect(await refusal(kb.updateCategory(root, { parentId: leaf }))).toMatchObject({ status: 400 });
    expect(await refusal(kb.createCategory(root, `空-${run}`))).toMatchObject({ status: 409 });
    await kb.deleteCategory(c.id);
    expect((await kb.categories()).some((x) => x.id === c.id)).toBe(false);
  });
});

describe('import and export', () => {
  const subset = async (rootName: string) => (await transfer.exportDocument()).articles.filter((a) => a.path[0] === rootName);

  it('JSON round trip: what is exported imports again as the same articles', async () => {
    const name = `导入-${run}`;
    const r = await transfer.import(
      {
        version: 1,
        articles: [
          {
            path: [name, '国税', '发票'],
            question: '电子发票如何开具？',
            answer: '通过电子发票服务平台开具。',
            keywords: ['电子发票'],
            status: 'published',
            related: ['发票丢失怎么办？'],
          },
          {
            path: [name, '国税', '发票'],
            question: '发票丢失怎么办？',
            answer: '登报声明作废。',
            basis: '《发票管理办法》',
            region: '杭州市',
            department: '国税',
          },
        ],
        categories: [{ path: [name, '地税'] }],
      },
      wang.id,
      'json',
    );
    expect(r).toEqual({ categories: 4, articles: 2 });
    const exported = await subset(name);
    expect(exported).toEqual([
      {
        path: [name, '国税', '发票'],
        question: '电子发票如何开具？',
        answer: '通过电子发票服务平台开具。',
        keywords: ['电子发票'],
        status: 'published',
        related: ['发票丢失怎么办？'],
      },
      {
        path: [name, '国税', '发票'],
        question: '发票丢失怎么办？',
        answer: '登报声明作废。',
        basis: '《发票管理办法》',
        region: '杭州市',
        department: '国税',
        status: 'draft',
      },
    ]);
    // Importing the export again changes nothing and makes no new category.
    expect(await transfer.import({ version: 1, articles: exported }, wang.id, 'json')).toEqual({ categories: 0, articles: 2 });
    expect(await subset(name)).toEqual(exported);
    expect((await transfer.exportDocument()).categories).toContainEqual({ path: [name, '地税'] });
  });

  it('CSV round trip', async () => {
    const name = `表格-${run}`;
    const csv = [
      'path,question,answer,basis,keywords,region,department,status',
      `${name} > 地税 > 个税,"年终奖如何计税？","单独计税, 或并入综合所得。","财税〔2018〕164号",年终奖、综合所得,杭州市,地税,published`,
    ].join('\r\n');
    expect(await transfer.import(csv, wang.id, 'csv')).toEqual({ categories: 3, articles: 1 });
    const out = await transfer.exportCsv();
    const line = out.split('\r\n').find((l) => l.startsWith(`${name} > `))!;
    expect(line).toBe(
      `${name} > 地税 > 个税,年终奖如何计税？,"单独计税, 或并入综合所得。",财税〔2018〕164号,年终奖、综合所得,杭州市,地税,published`,
    );
  });

  it('a bad import names the field and stores nothing', async () => {
    const name = `坏-${run}`;
    const bad = {
      version: 1,
      articles: [
        { path: [name, 'A'], question: '好的？', answer: '好。' },
        { path: [name, 'A'], question: '坏的？', answer: '' },
      ],
    };
    expect(await refusal(transfer.import(bad, wang.id, 'json'))).toMatchObject({
      status: 400,
      message: expect.stringContaining('body/articles/1/answer'),
    });
    const unknown = { version: 1, articles: [{ path: [name], question: '好的？', answer: '好。', related: ['不存在的问题？'] }] };
    expect(await refusal(transfer.import(unknown, wang.id, 'json'))).toMatchObject({
      message: expect.stringContaining('articles/0/related/0'),
    });
    expect(await refusal(transfer.import('path,question\n', wang.id, 'csv'))).toMatchObject({ message: expect.stringContaining('line 1') });
    expect(await rowCount('SELECT 1 FROM kb_categories WHERE name = $1', [name])).toBe(0);
    expect(await rowCount('SELECT 1 FROM kb_articles WHERE question = $1', ['好的？'])).toBe(0);
  });
});

/** A published article in the test's leaf category, by wang, reviewed by zhao. */
async function publish(f: { question: string; answer: string }): Promise<number> {
  const a = await kb.create({ categoryId: leaf, ...f }, wang);
  const zhao = who('zhao', 'editor');
  await kb.act(a.id, 'approve', zhao);
  await kb.act(a.id, 'publish', zhao);
  return a.id;
}
