import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres/migrate.js';
import type { Principal } from '../../src/core/auth/access.js';
import { buildKb } from '../../src/features/kb/index.js';
import { REPO, requireEnv } from '../support/rig.js';

/* Real Postgres and jieba: Chinese search, partial words, typos, ranking, highlighting. Each run searches its own subtree. */
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
const { kb, search } = buildKb(pool);
const run = randomBytes(4).toString('hex');
const wang: Principal = { id: `wang-${run}`, role: 'editor', via: 'session' };
const zhao: Principal = { id: `zhao-${run}`, role: 'editor', via: 'session' };
let root: number;
const ids: Record<string, number> = {};

async function publish(key: string, categoryId: number, f: { question: string; answer: string; keywords?: string[]; basis?: string }) {
  const a = await kb.create({ categoryId, ...f }, wang);
  await kb.act(a.id, 'approve', zhao);
  await kb.act(a.id, 'publish', zhao);
  ids[key] = a.id;
}
const find = (q: string, limit = 20) => search.search(q, { categoryId: root, statuses: ['published'], limit });

beforeAll(async () => {
  await migrate(pool, path.join(REPO, 'migrations'), pino({ level: 'warn' }));
  root = (await kb.createCategory(null, `搜索-${run}`)).id;
  const vat = (await kb.createCategory(root, '增值税')).id;
  const iit = (await kb.createCategory(root, '个人所得税')).id;
  await publish('import', vat, {
    question: '海关进口增值税专用缴款书如何抵扣进项税额？',
    answer: '一般纳税人取得的海关进口增值税专用缴款书，应先进行用途确认，再抵扣进项税额。',
    keywords: ['海关缴款书'],
  });
  await publish('small', vat, {
    question: '小规模纳税人月销售额多少免征增值税？',
    answer: '合计月销售额未超过10万元的，免征增值税。<script>alert("x")</script>',
  });
  await publish('answerOnly', iit, { question: '子女教育专项附加扣除的标准是多少？', answer: '每个子女每月2000元，与增值税无关。' });
  await publish('hot', vat, { question: '增值税专用发票丢失怎么办？', answer: '可凭记账联复印件抵扣。' });
  await publish('cold', vat, { question: '增值税普通发票丢失怎么办？', answer: '可凭记账联复印件入账。' });
  // A draft is never found by agents.
  await kb.create({ categoryId: vat, question: '增值税草稿问题？', answer: '草稿。' }, wang);
  await pool.query('UPDATE kb_articles SET hits = 5000 WHERE id = $1', [ids.hot]);
});
afterAll(async () => {
  await pool.end();
});

describe('search', () => {
  it('finds whole words, in the question above the answer', async () => {
    const r = await find('增值税');
    const got = r.results.map((x) => x.id);
    expect(got).toEqual(expect.arrayContaining([ids.import, ids.small, ids.hot, ids.cold, ids.answerOnly]));
    // The article that mentions it only in its answer comes last.
    expect(got.at(-1)).toBe(ids.answerOnly);
    expect(r.results.every((x) => x.status === 'published')).toBe(true);
  });

  it('finds a partial word as it is typed: 增值 → 增值税, 缴款 → 缴款书', async () => {
    expect((await find('增值')).results.map((x) => x.id)).toContain(ids.small);
    const r = await find('海关缴款');
    expect(r.results[0]!.id).toBe(ids.import);
    expect(r.results[0]!.questionHtml).toContain('<mark>海关</mark>');
  });

  it('finds a question with a one-character typo', async () => {
    // 抵扣 typed as 低扣, 月销售额 as 月销害额.
    expect((await find('海关进口增值税专用缴款书如何低扣')).results[0]?.id).toBe(ids.import);
    expect((await find('小规模纳税人月销害额')).results[0]?.id).toBe(ids.small);
  });

  it('corrects a mistyped word through pg_trgm over the words articles hold', async () => {
    const r = await pool.query<{ word: string }>("SELECT word FROM kb_similar_words('增值说', 5)");
    expect(r.rows.map((x) => x.word)).toContain('增值税');
  });

  it('ranks the hotter of two equally relevant articles first', async () => {
    const r = await find('发票丢失');
    expect(r.results.slice(0, 2).map((x) => x.id)).toEqual([ids.hot, ids.cold]);
    expect(r.results[0]!.hotness).toBe(3);
  });

  it('restricts to a category subtree and to published articles', async () => {
    const r = await find('草稿');
    expect(r.results).toEqual([]);
    const drafts = await search.search('草稿', { categoryId: root, statuses: ['draft'], limit: 5 });
    expect(drafts.results.map((x) => x.question)).toEqual(['增值税草稿问题？']);
  });

  it('highlights in escaped text: a script in an answer comes back as text', async () => {
    const r = await find('免征增值税');
    const hit = r.results.find((x) => x.id === ids.small)!;
    expect(hit.questionHtml).toBe('小规模纳税人月销售额多少<mark>免征</mark><mark>增值税</mark>？');
    expect(hit.snippet).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(hit.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('gives nothing for a query of punctuation only', async () => {
    expect((await find('？？')).results).toEqual([]);
  });
});
