import { describe, expect, it } from 'vitest';
import { loadQuestions, loadSampleBase, sampleRootName, scoreQuestion, summarize, underRoot } from '../support/kb-quality.js';

const ROOTS = ['政策法规', '办事指南', '问题库', '专题库'];
const DEPARTMENTS = ['杭州市国家税务局', '杭州市地方税务局', '杭州市财政局'];

describe('kb/sample-base.json: the sample knowledge base', () => {
  const { doc } = loadSampleBase();
  const questions = doc.articles.map((a) => a.question);

  it('is an import document of about fifty articles in the seed tree, each complete', () => {
    expect(doc.version).toBe(1);
    expect(doc.articles.length).toBeGreaterThanOrEqual(50);
    expect(new Set(questions).size).toBe(questions.length);
    for (const a of doc.articles) {
      expect(ROOTS, a.question).toContain(a.path[0]);
      expect(a.question.length, a.question).toBeGreaterThan(4);
      expect(a.answer.length, a.question).toBeGreaterThan(40);
      expect(a.basis, a.question).toMatch(/《.+》|〔|\[\d{4}\]/);
      expect(a.keywords?.length, a.question).toBeGreaterThanOrEqual(2);
      expect(a.region).toBe('杭州市');
      expect(DEPARTMENTS, a.question).toContain(a.department);
      // The 问题库 follows the seed: 问题库 → 杭州市 → 财政 / 国税 / 地税 → …
      if (a.path[0] === '问题库') expect(['财政', '国税', '地税'], a.question).toContain(a.path[2]);
    }
  });

  it('covers every root of the tree, mostly published, with a few drafts and a retired article', () => {
    for (const root of ROOTS)
      expect(
        doc.articles.some((a) => a.path[0] === root),
        root,
      ).toBe(true);
    const by = (s: string) => doc.articles.filter((a) => a.status === s).length;
    expect(by('published')).toBeGreaterThanOrEqual(45);
    expect(by('draft')).toBeGreaterThanOrEqual(2);
    expect(by('retired')).toBeGreaterThanOrEqual(1);
  });

  it('names only related articles that are in it', () => {
    for (const a of doc.articles) for (const r of a.related ?? []) expect(questions, `${a.question} → ${r}`).toContain(r);
  });

  it('moves under a root of its own without losing an article or a category', () => {
    const moved = underRoot(doc, sampleRootName('abcd1234'));
    expect(moved.articles).toHaveLength(doc.articles.length);
    expect(moved.articles.every((a) => a.path[0] === '样例知识库-abcd1234')).toBe(true);
    expect(moved.categories?.[0]).toEqual({ path: ['样例知识库-abcd1234'] });
    expect(moved.categories).toHaveLength((doc.categories?.length ?? 0) + 1);
  });
});

describe('test/fixtures/kb-questions.json: the search test set', () => {
  const { doc } = loadSampleBase();
  const published = new Set(doc.articles.filter((a) => a.status === 'published').map((a) => a.question));
  const items = loadQuestions();

  it('has at least 40 questions, at least 5 partial words and 5 one-character typos', () => {
    expect(items.length).toBeGreaterThanOrEqual(40);
    expect(items.filter((i) => i.kind === 'partial').length).toBeGreaterThanOrEqual(5);
    expect(items.filter((i) => i.kind === 'typo').length).toBeGreaterThanOrEqual(5);
    expect(new Set(items.map((i) => i.q)).size).toBe(items.length);
  });

  it('expects only published articles of the sample base (drafts and retired ones are never found)', () => {
    for (const i of items) {
      expect(i.expect.length, i.q).toBeGreaterThan(0);
      for (const e of [...i.expect, ...(i.alsoRelevant ?? [])]) expect(published.has(e), `${i.q} → ${e}`).toBe(true);
    }
  });

  it('a partial word is the start of a word of an expected article, not the whole of it', () => {
    for (const i of items.filter((x) => x.kind === 'partial')) {
      const text = i.expect.map((e) => doc.articles.find((a) => a.question === e)!).map((a) => a.question + (a.keywords ?? []).join(' '));
      expect(
        text.some((t) => t.includes(i.q)),
        i.q,
      ).toBe(true);
    }
  });
});

describe('scoring a question', () => {
  const item = { q: 'x', kind: 'colloquial' as const, expect: ['A'], alsoRelevant: ['B'] };

  it('recall, precision and the pass follow the top three', () => {
    expect(scoreQuestion(item, ['A', 'B', 'C'])).toMatchObject({ passed: true, recall1: 1, recall3: 1, precision3: 2 / 3 });
    expect(scoreQuestion(item, ['C', 'D', 'A', 'B'])).toMatchObject({ passed: true, recall1: 0, recall3: 1, precision3: 1 / 3 });
    expect(scoreQuestion(item, ['B', 'C', 'D', 'A'])).toMatchObject({ passed: false, recall3: 0, precision3: 1 / 3, missing: ['A'] });
    expect(scoreQuestion(item, [])).toMatchObject({ passed: false, recall1: 0, precision3: 0, precisionCeiling: 2 / 3 });
  });

  it('"all" needs every expected article; "any" one of them', () => {
    const two = { q: 'y', kind: 'partial' as const, expect: ['A', 'B'] };
    expect(scoreQuestion(two, ['A', 'C', 'D'])).toMatchObject({ passed: false, recall3: 0.5 });
    expect(scoreQuestion({ ...two, mode: 'any' }, ['C', 'B', 'D'])).toMatchObject({ passed: true, recall1: 0, recall3: 1 });
  });

  it('summarizes per kind and over all', () => {
    const rows = summarize([scoreQuestion(item, ['A']), scoreQuestion({ ...item, kind: 'typo' }, ['C'])]);
    expect(rows.map((r) => [r.kind, r.questions, r.passed, r.recall1])).toEqual([
      ['colloquial', 1, 1, 1],
      ['partial', 0, 0, 0],
      ['typo', 1, 0, 0],
      ['all', 2, 1, 0.5],
    ]);
  });
});
