import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combinations, coverageTsQuery, isStopWord, minCoverage, parseQuery, termGroups } from '../../src/core/kb/query.js';
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
  it('known words stay (the last as a prefix), unknown ones are corrected or left out', () => {
    expect(termGroups(p, new Set(['房产', '算']), new Map())).toEqual(["'房产'", "'算':*"]);
    expect(termGroups(p, new Set(['房产', '算']), new Map([['睡', ['税', '说']]]))).toEqual(["'房产'", "( '税' | '说' )", "'算':*"]);
    expect(termGroups(p, new Set(), new Map())).toEqual([]);
  });
});

describe('coverage query', () => {
  it('all but one of up to three words, all but two of more', () => {
    expect([1, 2, 3, 4, 5, 12].map(minCoverage)).toEqual([1, 1, 2, 2, 3, 10]);
  });

  it('nothing to drop from one word', () => {
    expect(coverageTsQuery([])).toBeUndefined();
    expect(coverageTsQuery(["'房产税'"])).toBeUndefined();
  });

  it('two words: either; three: any two; the rank query is every word, OR', () => {
    expect(coverageTsQuery(["'房产税'", "'算':*"])).toEqual({ filter: "'房产税' | '算':*", rank: "'房产税' | '算':*", min: 1 });
    expect(coverageTsQuery(["'海关'", "'多久'", "'抵':*"])).toEqual({
      filter: "( '海关' & '多久' ) | ( '海关' & '抵':* ) | ( '多久' & '抵':* )",
      rank: "'海关' | '多久' | '抵':*",
      min: 2,
    });
  });

  it('the filter matches exactly the sets holding at least `min` of the words, and stays small', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (n, held) => {
        const groups = Array.from({ length: n }, (_, i) => `'w${i}'`);
        const c = coverageTsQuery(groups)!;
        expect(c.min).toBeGreaterThanOrEqual(minCoverage(n));
        expect(c.min).toBeLessThan(n);
        const clauses = c.filter.split(' | ').map((cl) => cl.replace(/[()]/g, '').trim().split(' & '));
        expect(clauses.length).toBeLessThanOrEqual(100);
        // Evaluate the filter as Postgres would: some clause whose every word the article holds.
        const has = (w: string) => held[Number(w.slice(2, -1))]!;
        const matches = clauses.some((cl) => cl.every(has));
        const count = groups.filter(has).length;
        expect(matches).toBe(count >= c.min);
      }),
    );
  });

  it('combinations: every k-subset once, ascending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), (n, k) => {
        const cs = combinations(n, k);
        const binom = (a: number, b: number): number =>
          b < 0 || b > a ? 0 : b === 0 || b === a ? 1 : binom(a - 1, b - 1) + binom(a - 1, b);
        expect(cs.length).toBe(binom(n, k));
        expect(new Set(cs.map((c) => c.join(','))).size).toBe(cs.length);
        for (const c of cs) {
          expect(c.length).toBe(k);
          for (let i = 1; i < c.length; i++) expect(c[i]!).toBeGreaterThan(c[i - 1]!);
          for (const x of c) expect(x).toBeLessThan(n);
        }
      }),
    );
  });
});

describe('ranking a partial match', () => {
  it('below every match of all the words, however relevant, and below PARTIAL_CEILING', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) => {
        const partial = relevance(undefined, undefined, { id: 1, rank: a });
        expect(partial).toBeLessThan(PARTIAL_CEILING);
        expect(partial).toBeLessThan(relevance({ id: 2, rank: b }, undefined));
      }),
    );
  });

  it('more of the words (a higher rank) comes first; a full match before both', () => {
    const r = combine([{ id: 9, rank: 0.01 }], [], () => 0, 10, [
      { id: 1, rank: 0.05 },
      { id: 2, rank: 0.9 },
    ]);
    expect(r.map((x) => x.id)).toEqual([9, 2, 1]);
  });

  it('a close corrected match beats a partial one; an article found both ways takes the better score', () => {
    const r = combine([], [{ id: 3, similarity: 0.8 }], () => 0, 10, [
      { id: 4, rank: 10 },
      { id: 3, rank: 0.01 },
    ]);
    expect(r.map((x) => x.id)).toEqual([3, 4]);
    expect(r[0]!.score).toBeCloseTo(0.792, 3);
  });
});
