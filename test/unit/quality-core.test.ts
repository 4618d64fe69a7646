import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, grants, type Principal } from '../../src/core/auth/access.js';
import { DEFAULT_FORM, formProblems, totalOf, type FormItem } from '../../src/core/quality/form.js';
import { qualityRows, round1 } from '../../src/core/quality/report.js';
import { reviewProblems } from '../../src/core/quality/review.js';
import { canSeeReview, listAgent, reviewRefusal, reviewScope } from '../../src/core/quality/visibility.js';

const itemArb: fc.Arbitrary<FormItem> = fc.record({
  key: fc.stringMatching(/^[a-z0-9_]{1,32}$/),
  label: fc.constantFrom('礼貌用语', '政策准确', '记录完整', '业务熟练', '服务态度'),
  weight: fc.integer({ min: 1, max: 100 }),
  maxScore: fc.integer({ min: 1, max: 10 }),
});
const formArb = fc.uniqueArray(itemArb, { minLength: 1, maxLength: 20, selector: (i) => i.key });
/** A form and a valid score for each of its items. */
const scoredArb = formArb.chain((items) =>
  fc.tuple(fc.constant(items), fc.tuple(...items.map((i) => fc.integer({ min: 0, max: i.maxScore })))).map(([its, s]) => ({
    items: its,
    scores: Object.fromEntries(its.map((i, n) => [i.key, s[n]!])) as Record<string, number>,
  })),
);
const allMax = (items: readonly FormItem[]) => Object.fromEntries(items.map((i) => [i.key, i.maxScore]));

/** The exact weighted percentage, as a fraction num/den of whole numbers (no floating point): the oracle. */
function exactTenthsFloor(items: readonly FormItem[], scores: Record<string, number>): number {
  // Σ w·s/m over Σ w, times 1000 tenths, floored: compare with BigInt cross-multiplication.
  let num = 0n;
  let den = 1n;
  for (const i of items) {
    // num/den += w·s/m
    num = num * BigInt(i.maxScore) + BigInt(i.weight * scores[i.key]!) * den;
    den *= BigInt(i.maxScore);
  }
  const weights = BigInt(items.reduce((a, i) => a + i.weight, 0));
  return Number((1000n * num) / (den * weights));
}

describe('quality form', () => {
  it('the default form is valid and sums to 100', () => {
    expect(formProblems([...DEFAULT_FORM])).toEqual([]);
    expect(DEFAULT_FORM.reduce((a, i) => a + i.weight, 0)).toBe(100);
  });

  it('names the field at fault', () => {
    const ok: FormItem = { key: 'courtesy', label: '礼貌用语', weight: 20, maxScore: 5 };
    expect(formProblems([])[0]?.field).toBe('items');
    expect(formProblems(Array.from({ length: 21 }, (_, i) => ({ ...ok, key: `k${i}` })))[0]?.field).toBe('items');
    expect(formProblems([{ ...ok, key: 'Bad-Key' }])[0]?.field).toBe('items/0/key');
    expect(formProblems([ok, { ...ok }])[0]).toMatchObject({ field: 'items/1/key', message: expect.stringMatching(/earlier/) });
    expect(formProblems([{ ...ok, label: '  ' }])[0]?.field).toBe('items/0/label');
    expect(formProblems([{ ...ok, label: '礼'.repeat(41) }])[0]?.field).toBe('items/0/label');
    // 40 characters, counted as characters (not UTF-16 units).
    expect(formProblems([{ ...ok, label: '𠮷'.repeat(40) }])).toEqual([]);
    expect(formProblems([{ ...ok, labelEn: 'x'.repeat(41) }])[0]?.field).toBe('items/0/labelEn');
    expect(formProblems([{ ...ok, weight: 0 }])[0]?.field).toBe('items/0/weight');
    expect(formProblems([{ ...ok, weight: 101 }])[0]?.field).toBe('items/0/weight');
    expect(formProblems([{ ...ok, weight: 2.5 }])[0]?.field).toBe('items/0/weight');
    expect(formProblems([{ ...ok, maxScore: 11 }])[0]?.field).toBe('items/0/maxScore');
    expect(formProblems([{ ...ok, maxScore: 0 }])[0]?.field).toBe('items/0/maxScore');
  });

  it('any generated form of valid items is accepted', () => {
    fc.assert(
      fc.property(formArb, (items) => {
        expect(formProblems(items)).toEqual([]);
      }),
    );
  });
});

describe('review total', () => {
  it('the default form: all max is 100, all zero is 0, one item off by one point costs its share', () => {
    expect(totalOf(DEFAULT_FORM, allMax(DEFAULT_FORM))).toBe(100);
    expect(totalOf(DEFAULT_FORM, Object.fromEntries(DEFAULT_FORM.map((i) => [i.key, 0])))).toBe(0);
    // policy_accuracy weighs 30 of 100; 4 of 5 loses 30 · 1/5 = 6 points.
    expect(totalOf(DEFAULT_FORM, { ...allMax(DEFAULT_FORM), policy_accuracy: 4 })).toBe(94);
    // 1/3 of the maximum on one item of weight 1 and max 3: 33.33… → 33.3 (rounded down).
    expect(totalOf([{ key: 'a', label: 'a', weight: 1, maxScore: 3 }], { a: 1 })).toBe(33.3);
    expect(totalOf([{ key: 'a', label: 'a', weight: 1, maxScore: 3 }], { a: 2 })).toBe(66.6);
  });

  it('is always within 0..100 with at most one decimal, and equals the exact weighted share rounded down', () => {
    fc.assert(
      fc.property(scoredArb, ({ items, scores }) => {
        const t = totalOf(items, scores);
        expect(t).toBeGreaterThanOrEqual(0);
        expect(t).toBeLessThanOrEqual(100);
        expect(Number.isInteger(Math.round(t * 10)) && Math.abs(t * 10 - Math.round(t * 10)) < 1e-9).toBe(true);
        expect(Math.round(t * 10)).toBe(exactTenthsFloor(items, scores));
      }),
      { numRuns: 2000 },
    );
  });

  it('is 100 if and only if every item has its maximum, even when one point of 2000 weight is missing', () => {
    fc.assert(
      fc.property(scoredArb, ({ items, scores }) => {
        const every = items.every((i) => scores[i.key] === i.maxScore);
        expect(totalOf(items, scores) === 100).toBe(every);
      }),
      { numRuns: 2000 },
    );
    // A narrow miss: one point of ten on an item weighing 1 of 1901 is 99.995 %, shown 99.9 (rounding would say 100).
    const heavy: FormItem[] = Array.from({ length: 19 }, (_, i) => ({ key: `h${i}`, label: 'h', weight: 100, maxScore: 10 }));
    const items = [...heavy, { key: 'light', label: 'l', weight: 1, maxScore: 10 }];
    expect(totalOf(items, { ...allMax(items), light: 9 })).toBe(99.9);
  });

  it('never falls when one score rises (monotone in each score)', () => {
    fc.assert(
      fc.property(scoredArb, fc.nat(), ({ items, scores }, pick) => {
        const it = items[pick % items.length]!;
        if (scores[it.key]! >= it.maxScore) return;
        const up = { ...scores, [it.key]: scores[it.key]! + 1 };
        expect(totalOf(items, up)).toBeGreaterThanOrEqual(totalOf(items, scores));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('review validation', () => {
  const ok = { scores: allMax(DEFAULT_FORM), comments: [{ atMs: 0, text: '开场白规范' }], summary: '整体良好' };
  it('accepts a complete review', () => {
    expect(reviewProblems(DEFAULT_FORM, ok, 60_000)).toEqual([]);
    expect(reviewProblems(DEFAULT_FORM, { ...ok, comments: [{ atMs: 60_000, text: '结束语' }] }, 60_000)).toEqual([]);
  });
  it('names the field at fault', () => {
    const first = (r: Partial<typeof ok>, duration = 60_000) => reviewProblems(DEFAULT_FORM, { ...ok, ...r }, duration)[0]?.field;
    expect(first({ scores: { ...ok.scores, courtesy: 6 } })).toBe('scores/courtesy');
    expect(first({ scores: { ...ok.scores, courtesy: -1 } })).toBe('scores/courtesy');
    expect(first({ scores: { ...ok.scores, courtesy: 2.5 } })).toBe('scores/courtesy');
    const { attitude: _, ...missing } = ok.scores;
    expect(first({ scores: missing })).toBe('scores/attitude');
    expect(first({ scores: { ...ok.scores, extra: 1 } })).toBe('scores/extra');
    expect(first({ comments: [{ atMs: 60_001, text: 'x' }] })).toBe('comments/0/atMs');
    expect(
      first({
        comments: [
          { atMs: 0, text: 'x' },
          { atMs: -1, text: 'x' },
        ],
      }),
    ).toBe('comments/1/atMs');
    expect(first({ comments: [{ atMs: 1.5, text: 'x' }] })).toBe('comments/0/atMs');
    expect(first({ comments: [{ atMs: 1, text: ' ' }] })).toBe('comments/0/text');
    expect(first({ comments: [{ atMs: 1, text: '好'.repeat(501) }] })).toBe('comments/0/text');
    expect(first({ comments: Array.from({ length: 51 }, () => ({ atMs: 1, text: 'x' })) })).toBe('comments');
    expect(first({ summary: '好'.repeat(2001) })).toBe('summary');
  });
  it('a score outside 0..maxScore is always refused, one within always accepted', () => {
    fc.assert(
      fc.property(scoredArb, fc.integer({ min: -20, max: 20 }), fc.nat(), ({ items, scores }, s, pick) => {
        const it = items[pick % items.length]!;
        const problems = reviewProblems(items, { scores: { ...scores, [it.key]: s }, comments: [] }, 1000);
        expect(problems.length === 0).toBe(s >= 0 && s <= it.maxScore);
        if (problems.length) expect(problems[0]!.field).toBe(`scores/${it.key}`);
      }),
    );
  });
});

describe('who sees and who may review', () => {
  const principalArb: fc.Arbitrary<Principal> = fc.record({
    id: fc.constantFrom('u1', 'u2'),
    role: fc.constantFrom(...ROLES),
    via: fc.constant('session' as const),
    agentId: fc.option(fc.constantFrom('1001', '1002'), { nil: undefined }),
  });
  it('reviewers see all; an agent only its own calls; others none; the list agrees with canSee', () => {
    fc.assert(
      fc.property(principalArb, fc.constantFrom('1001', '1002', '1003'), (p, agentId) => {
        const sees = canSeeReview(p, { agentId });
        if (grants(p.role, 'quality.review')) expect(sees).toBe(true);
        else expect(sees).toBe(grants(p.role, 'quality.own') && p.agentId === agentId);
        const s = reviewScope(p);
        const inList = s.kind === 'all' || (s.kind === 'agent' && s.agentId === agentId);
        expect(inList).toBe(sees);
      }),
    );
  });
  it('an agent’s list is forced to its own; another agent’s is refused', () => {
    const agent: Principal = { id: 'a', role: 'agent', via: 'session', agentId: '1001' };
    expect(listAgent(agent, undefined)).toEqual({ agentId: '1001' });
    expect(listAgent(agent, '1001')).toEqual({ agentId: '1001' });
    expect(listAgent(agent, '1002')).toHaveProperty('refused');
    expect(listAgent({ ...agent, agentId: undefined }, undefined)).toHaveProperty('refused');
    expect(listAgent({ id: 'q', role: 'quality', via: 'session' }, undefined)).toEqual({});
    expect(listAgent({ id: 'q', role: 'quality', via: 'session' }, '1002')).toEqual({ agentId: '1002' });
    for (const role of ['readonly', 'editor', 'liaison'] as const)
      expect(listAgent({ id: 'x', role, via: 'session', agentId: '1001' }, undefined)).toHaveProperty('refused');
  });
  it('only reviewers review, and never a call they answered themselves', () => {
    const q: Principal = { id: 'q', role: 'quality', via: 'session' };
    expect(reviewRefusal(q, { agentId: '1001' })).toBeUndefined();
    expect(reviewRefusal({ ...q, role: 'supervisor', agentId: '1001' }, { agentId: '1001' })).toMatch(/answered/);
    expect(reviewRefusal({ ...q, role: 'supervisor', agentId: '1001' }, { agentId: '1002' })).toBeUndefined();
    expect(reviewRefusal({ ...q, role: 'agent', agentId: '1001' }, { agentId: '1002' })).toMatch(/may not review/);
  });
});

describe('monthly report rows', () => {
  it('averages totals and item shares to one decimal', () => {
    const rows = qualityRows(
      [{ agentId: '1001', agentName: '张三', reviews: 3, sumTotal: 94 + 80 + 100, minTotal: 80, maxTotal: 100 }],
      [
        { agentId: '1001', key: 'courtesy', meanShare: 2 / 3 },
        { agentId: '1002', key: 'courtesy', meanShare: 1 },
      ],
    );
    expect(rows).toEqual([
      { agentId: '1001', agentName: '张三', reviews: 3, avgTotal: 91.3, minTotal: 80, maxTotal: 100, byItem: { courtesy: 66.7 } },
    ]);
    expect(round1(0.05)).toBe(0.1);
    expect(round1(99.95)).toBe(100);
  });
});
