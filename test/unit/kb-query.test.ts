import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_QUERY_TERMS,
  normalizeToken,
  parseQuery,
  quoteLexeme,
  relaxedTsQuery,
  searchDocument,
  trigramText,
} from '../../src/core/kb/query.js';
import { combine, relevance, RELEVANCE_STEP } from '../../src/core/kb/rank.js';

describe('query parsing', () => {
  it('every word must match, the last as a prefix while still being typed', () => {
    const p = parseQuery('增值税 进项', ['增值税', ' ', '进项'], ['增值', '增值税', ' ', '进项']);
    expect(p.terms).toEqual(['增值税', '进项']);
    expect(p.tsquery).toBe("'增值税' & '进项':*");
    expect(p.trigram).toBe('增值税 进项');
    expect(p.highlight).toEqual(['增值税', '增值', '进项']);
    // Ended with a space or punctuation: the agent finished the word.
    expect(parseQuery('增值税？', ['增值税', '？'], ['增值税', '？']).tsquery).toBe("'增值税'");
  });

  it('stop words are left out unless nothing else is left; punctuation never becomes a term', () => {
    expect(parseQuery('如何抵扣', ['如何', '抵扣'], ['如何', '抵扣']).terms).toEqual(['抵扣']);
    expect(parseQuery('如何', ['如何'], ['如何']).terms).toEqual(['如何']);
    expect(parseQuery('？！', ['？', '！'], ['？', '！']).tsquery).toBeUndefined();
  });

  it('full-width letters and capitals match their plain forms', () => {
    expect(normalizeToken('ＡＢＣ１')).toBe('abc1');
  });

  it('any input gives a bounded query of quoted lexemes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { maxLength: 40 }), fc.string(), (ws, raw) => {
        const p = parseQuery(raw, ws, ws);
        expect(p.terms.length).toBeLessThanOrEqual(MAX_QUERY_TERMS);
        if (p.tsquery) for (const part of p.tsquery.split(' & ')) expect(part).toMatch(/^'(?:[^']|'')*'(:\*)?$/);
        for (const t of p.terms) expect(t).toMatch(/^[\p{L}\p{N}]+$/u);
      }),
    );
  });

  it("quotes a lexeme's quotes and backslashes", () => {
    expect(quoteLexeme("a'b\\c")).toBe("'a''b\\\\c'");
  });
});

describe('the relaxed query', () => {
  const p = parseQuery('小规模纳税人增殖税专用发票 低扣', ['小规模', '纳税人', '增殖税', '专用发票', ' ', '低扣'], []);
  it('replaces a word no article holds by the known words like it, or leaves it out', () => {
    const known = new Set(['小规模', '纳税人', '专用发票']);
    expect(relaxedTsQuery(p, known, new Map([['增殖税', ['增值税', '消费税']]]))).toBe(
      "'小规模' & '纳税人' & ( '增值税' | '消费税' ) & '专用发票'",
    );
    expect(relaxedTsQuery(p, known, new Map())).toBe("'小规模' & '纳税人' & '专用发票'");
  });
  it('is undefined when every word is known (the same query) or none is', () => {
    expect(relaxedTsQuery(p, new Set(p.terms), new Map())).toBeUndefined();
    expect(relaxedTsQuery(p, new Set(), new Map())).toBeUndefined();
  });
  it('keeps the prefix on a known last word', () => {
    const q = parseQuery('增殖税 专用发', ['增殖税', ' ', '专用', '发'], []);
    expect(relaxedTsQuery(q, new Set(['专用', '发']), new Map())).toBe("'专用' & '发':*");
  });
  it('never yields more words than the query, each quoted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z增值税发票]{1,4}$/), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        (ws, k) => {
          const q = parseQuery(ws.join(' '), ws, ws);
          const known = new Set(q.terms.filter((_, i) => k[i]));
          const r = relaxedTsQuery(q, known, new Map());
          if (r === undefined) expect(known.size === 0 || known.size === q.terms.length).toBe(true);
          else expect(r.split(' & ').length).toBe(known.size);
        },
      ),
    );
  });
});

describe('the search document', () => {
  it('weights the question A, keywords B, the answer and basis C, positions in order', () => {
    expect(searchDocument({ question: ['增值税', '？'], keywords: ['发票'], body: ['增值税', '抵扣'] })).toBe(
      "'增值税':1A,3C '发票':2B '抵扣':4C",
    );
    expect(trigramText(['小规模', '纳税人', '？'], ['免征'])).toBe('小规模 纳税人 免征');
  });
});

describe('ranking', () => {
  const hit = fc.record({ id: fc.integer({ min: 1, max: 30 }), rank: fc.double({ min: 0, max: 2, noNaN: true }) });
  const tri = fc.record({ id: fc.integer({ min: 1, max: 30 }), similarity: fc.double({ min: 0, max: 1, noNaN: true }) });
  const hot = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 31, maxLength: 31 });

  it('returns each candidate once, at most `limit`, a full-text match before any trigram-only one', () => {
    fc.assert(
      fc.property(fc.array(hit, { maxLength: 15 }), fc.array(tri, { maxLength: 15 }), hot, fc.nat(40), (ft, tg, h, limit) => {
        const r = combine(ft, tg, (id) => h[id]!, limit);
        const all = new Set([...ft, ...tg].map((x) => x.id));
        expect(r.length).toBe(Math.min(limit, all.size));
        expect(new Set(r.map((x) => x.id)).size).toBe(r.length);
        const full = new Set(ft.map((x) => x.id));
        const firstFuzzy = r.findIndex((x) => !full.has(x.id));
        if (firstFuzzy >= 0) expect(r.slice(firstFuzzy).every((x) => !full.has(x.id))).toBe(true);
      }),
    );
  });

  it('orders by relevance step, then hotness', () => {
    fc.assert(
      fc.property(fc.array(hit, { maxLength: 15 }), fc.array(tri, { maxLength: 15 }), hot, (ft, tg, h) => {
        const r = combine(ft, tg, (id) => h[id]!, 100);
        for (let i = 1; i < r.length; i++) {
          const [a, b] = [r[i - 1]!, r[i]!];
          const sa = Math.floor(a.score / RELEVANCE_STEP + 1e-6);
          const sb = Math.floor(b.score / RELEVANCE_STEP + 1e-6);
          expect(sa).toBeGreaterThanOrEqual(sb - 1 /* rounding of the reported score */);
          if (Math.abs(a.score - b.score) < 1e-9) expect(h[a.id]!).toBeGreaterThanOrEqual(h[b.id]!);
        }
      }),
    );
  });

  it('the hotter of two equally relevant articles comes first', () => {
    const r = combine(
      [
        { id: 1, rank: 0.3 },
        { id: 2, rank: 0.3 },
      ],
      [],
      (id) => (id === 2 ? 3 : 0),
      10,
    );
    expect(r.map((x) => x.id)).toEqual([2, 1]);
    expect(relevance({ id: 1, rank: 0 }, undefined)).toBeGreaterThan(relevance(undefined, { id: 1, similarity: 1 }));
  });
});
