import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COVERAGE_BUDGET,
  COVERAGE_MAX_WORDS,
  coverageTsQuery,
  expandedTsQuery,
  groupFrequencies,
  isStopWord,
  MAX_PREFIX_WORDS,
  parseQuery,
  prefixFragment,
  termGroups,
} from '../../src/core/kb/query.js';
import { combine, PARTIAL_CEILING, relevance } from '../../src/core/kb/rank.js';

/*
 * The coverage fallback (docs/knowledge-base.md, "Search"): a caller's question holds words no
 * answer uses; articles holding most of the words are found instead, ranked below every match of
 * all of them.
 */

describe('stop words', () => {
  it('question words and particles are left out of a query; the words that say what is asked stay', () => {
    for (const w of ['怎么', '多少', '哪里', '吗', '的', '能', '如何']) expect(isStopWord(w)).toBe(true);
    for (const w of ['房产税', '抵', '扣', '算', '交', '社保费', '多久']) expect(isStopWord(w)).toBe(false);
    expect(parseQuery('招待费能扣多少', ['招待费', '能', '扣', '多少'], []).terms).toEqual(['招待费', '扣']);
    expect(parseQuery('社保费在哪里交', ['社保费', '在', '哪里', '交'], []).terms).toEqual(['社保费', '交']);
  });

  it('a query of nothing but stop words still searches them', () => {
    expect(parseQuery('多少', ['多少'], []).terms).toEqual(['多少']);
  });
});

describe('term groups', () => {
  const p = parseQuery('房产睡怎么算', ['房产', '睡', '怎么', '算'], []);
  it('known words stay, unknown ones are corrected or left out; their frequencies line up', () => {
    expect(termGroups(p, new Set(['房产', '算']), new Map())).toEqual(["'房产'", "'算':*"]);
    expect(termGroups(p, new Set(['房产', '算']), new Map(), ['算术', '算法'])).toEqual(["'房产'", "( '算术' | '算法' )"]);
    const similar = new Map([['睡', ['税', '说']]]);
    expect(termGroups(p, new Set(['房产', '算']), similar)).toEqual(["'房产'", "( '税' | '说' )", "'算':*"]);
    const df = new Map([
      ['房产', 40],
      ['税', 900],
      ['说', 5],
      ['算', 7],
    ]);
    expect(groupFrequencies(p, new Set(['房产', '算']), similar, df)).toEqual([40, 905, 7]);
    expect(termGroups(p, new Set(), new Map())).toEqual([]);
  });

  it('a word still being typed is spelled out as the known words it starts, unless there are too many', () => {
    const q = parseQuery('萧山区专用发票找谁办', ['萧山区', '专用发票', '找', '谁', '办'], []);
    expect(expandedTsQuery(q, ['办法', '办理', '办税'])).toBe("'萧山区' & '专用发票' & '找' & '谁' & ( '办法' | '办理' | '办税' )");
    expect(expandedTsQuery(q, ['办理'])).toBe("'萧山区' & '专用发票' & '找' & '谁' & '办理'");
    expect(expandedTsQuery(q, undefined)).toBe(q.tsquery);
    expect(expandedTsQuery(q, [])).toBe(q.tsquery);
    const many = Array.from({ length: MAX_PREFIX_WORDS + 1 }, (_, i) => `办${i}`);
    expect(prefixFragment('办', many)).toBe("'办':*");
    expect(prefixFragment('办', many.slice(0, MAX_PREFIX_WORDS)).split(' | ')).toHaveLength(MAX_PREFIX_WORDS);
    // Finished words are not expanded.
    const done = parseQuery('房产税 算 ', ['房产税', ' ', '算', ' '], []);
    expect(expandedTsQuery(done, ['算法'])).toBe("'房产税' & '算'");
  });
});

describe('coverage query', () => {
  it('nothing to drop from one word', () => {
    expect(coverageTsQuery([], [])).toBeUndefined();
    expect(coverageTsQuery(["'房产税'"], [3])).toBeUndefined();
  });

  it('two words: either; more: two of the rarest, as many as the budget allows; the rank query and the groups are every word', () => {
    expect(coverageTsQuery(["'房产税'", "'算'"], [30, 2])).toEqual({
      filter: "'房产税' | '算'",
      groups: ["'房产税'", "'算'"],
      rank: "'房产税' | '算'",
    });
    // 企业 is held by too many articles to read: the other three are the candidates' words.
    expect(coverageTsQuery(["'企业'", "'海关'", "'多久'", "'抵'"], [70000, 40, 12, 300])).toEqual({
      filter: "( '海关' & '多久' ) | ( '海关' & '抵' ) | ( '多久' & '抵' )",
      groups: ["'企业'", "'海关'", "'多久'", "'抵'"],
      rank: "'企业' | '海关' | '多久' | '抵'",
    });
    // Common words only: the two rarest, either.
    expect(coverageTsQuery(["'企业'", "'纳税人'", "'区'"], [70000, 100000, 50000])?.filter).toBe("'企业' | '区'");
  });

  it('every article missing at most one word is a candidate, through few and rare words', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 12 })
          .chain((n) =>
            fc.tuple(fc.array(fc.nat(100000), { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n })),
          ),
        ([df, held]) => {
          const groups = df.map((_, i) => `'w${i}'`);
          const c = coverageTsQuery(groups, df)!;
          expect(c.groups).toEqual(groups);
          expect(c.rank.split(' | ')).toEqual(groups);
          const clauses = c.filter.split(' | ').map((cl) => cl.replace(/[()]/g, '').trim().split(' & '));
          const named = new Set(clauses.flat());
          expect(named.size).toBeGreaterThanOrEqual(2);
          expect(named.size).toBeLessThanOrEqual(COVERAGE_MAX_WORDS);
          // Beyond the two rarest, only words the budget allows.
          const sorted = [...df].sort((a, b) => a - b);
          if (named.size > 2)
            expect([...named].reduce((sum, w) => sum + df[Number(w.slice(2, -1))]!, 0)).toBeLessThanOrEqual(
              Math.max(COVERAGE_BUDGET, sorted[0]! + sorted[1]!),
            );
          // Evaluated as Postgres would: some clause whose every word the article holds.
          const has = (w: string) => held[Number(w.slice(2, -1))]!;
          const matches = clauses.some((cl) => cl.every(has));
          if (held.filter((h) => !h).length <= 1) expect(matches).toBe(true);
          // The words named are the rarest: none left out is rarer than one named.
          const maxNamed = Math.max(...[...named].map((w) => df[Number(w.slice(2, -1))]!));
          groups.forEach((g, i) => !named.has(g) && expect(df[i]!).toBeGreaterThanOrEqual(maxNamed));
        },
      ),
    );
  });
});

describe('ranking a partial match', () => {
  it('below every match of all the words, however relevant, and below PARTIAL_CEILING', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) => {
        const partial = relevance(undefined, undefined, { id: 1, covered: 5, of: 5, rank: a });
        expect(partial).toBeLessThan(PARTIAL_CEILING);
        expect(partial).toBeLessThan(relevance({ id: 2, rank: b }, undefined));
      }),
    );
  });

  it('more of the words comes first, then the higher rank (a word in the question); a full match before all', () => {
    const r = combine([{ id: 9, rank: 0.01 }], [], () => 0, 10, [
      { id: 1, covered: 2, of: 3, rank: 0.05 },
      { id: 2, covered: 1, of: 3, rank: 5 },
      { id: 3, covered: 2, of: 3, rank: 0.9 },
    ]);
    expect(r.map((x) => x.id)).toEqual([9, 3, 1, 2]);
  });

  it('coverage outweighs rank: holding one word more always ranks higher', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.nat(11),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (of, c, a, b) => {
          const covered = 1 + (c % (of - 1));
          expect(relevance(undefined, undefined, { id: 1, covered: covered + 1, of, rank: a })).toBeGreaterThan(
            relevance(undefined, undefined, { id: 2, covered, of, rank: b }),
          );
        },
      ),
    );
  });

  it('a close corrected match beats a partial one; an article found both ways takes the better score', () => {
    const r = combine([], [{ id: 3, similarity: 0.8 }], () => 0, 10, [
      { id: 4, covered: 2, of: 2, rank: 10 },
      { id: 3, covered: 1, of: 2, rank: 0.01 },
    ]);
    expect(r.map((x) => x.id)).toEqual([3, 4]);
    expect(r[0]!.score).toBeCloseTo(0.792, 3);
  });
});
