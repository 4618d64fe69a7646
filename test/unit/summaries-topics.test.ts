import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { overall, rankTopics, type ArticleCount, type CategoryCount } from '../../src/core/summaries/topics.js';

const cat = (group: string, path: string[], count: number, categoryId = 1): CategoryCount => ({ group, path, categoryId, count });
const art = (group: string, id: number, count: number): ArticleCount => ({ group, id, question: `问${id}`, count });

describe('hot topics: ranking', () => {
  it('per group, most first, ties by path then id, at most the limit; groups in the given order, empty ones kept', () => {
    const cats = [cat('d1', ['国税', '增值税'], 3), cat('d1', ['地税', '个税'], 5), cat('d1', ['财政'], 3), cat('d2', ['财政'], 1)];
    const arts = [art('d1', 9, 2), art('d1', 4, 2), art('d1', 7, 6)];
    const g = rankTopics(
      ['d1', 'd2', 'd3'],
      new Map([
        ['d1', 11],
        ['d2', 1],
      ]),
      cats,
      arts,
      2,
    );
    expect(g.map((x) => x.key)).toEqual(['d1', 'd2', 'd3']);
    expect(g[0]!.summaries).toBe(11);
    expect(g[0]!.categories.map((c) => c.path.join('/'))).toEqual(['地税/个税', '国税/增值税']);
    expect(g[0]!.categories[0]!.count).toBe(5);
    expect(g[0]!.articles.map((a) => a.id)).toEqual([7, 4]);
    expect(g[2]).toEqual({ key: 'd3', summaries: 0, categories: [], articles: [] });
  });

  it('overall sums each path and article over the groups', () => {
    const o = overall(
      [cat('a', ['财政'], 2), cat('b', ['财政'], 3), cat('b', ['国税'], 4)],
      [art('a', 1, 1), art('b', 1, 2), art('b', 2, 2)],
      10,
    );
    expect(o.categories.map((c) => [c.path[0], c.count])).toEqual([
      ['财政', 5],
      ['国税', 4],
    ]);
    expect(o.articles.map((a) => [a.id, a.count])).toEqual([
      [1, 3],
      [2, 2],
    ]);
  });

  it('the top list is the brute-force top: no entry left out outranks one kept', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ p: fc.constantFrom('甲', '乙', '丙', '丁', '戊'), n: fc.integer({ min: 1, max: 9 }) }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (rows, limit) => {
          const unique = [...new Map(rows.map((r) => [r.p, r])).values()];
          const g = rankTopics(
            ['k'],
            new Map(),
            unique.map((r) => cat('k', [r.p], r.n)),
            [],
            limit,
          )[0]!;
          expect(g.categories.length).toBe(Math.min(limit, unique.length));
          const kept = new Set(g.categories.map((c) => c.path[0]));
          const minKept = Math.min(...g.categories.map((c) => c.count));
          for (const r of unique) if (!kept.has(r.p)) expect(r.n).toBeLessThanOrEqual(minKept);
          for (let i = 1; i < g.categories.length; i++) expect(g.categories[i - 1]!.count).toBeGreaterThanOrEqual(g.categories[i]!.count);
        },
      ),
    );
  });
});
