import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstAccepted, SortedList } from '../../src/core/routing/sorted-list.js';

const cmp = (a: number, b: number) => a - b;

describe('SortedList', () => {
  it('holds what a sorted array would after any inserts and deletes, across many blocks', () => {
    // Up to 3,000 values so blocks split (at 256) and empty out.
    const ops = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 1500 })), { minLength: 1, maxLength: 3000, size: 'max' });
    let split = 0;
    fc.assert(
      fc.property(ops, (steps) => {
        const list = new SortedList(cmp);
        const model = new Set<number>();
        for (const [add, x] of steps) {
          if (add && !model.has(x)) {
            list.insert(x);
            model.add(x);
          } else if (!add) {
            expect(list.delete(x)).toBe(model.has(x));
            model.delete(x);
          }
        }
        const sorted = [...model].sort(cmp);
        expect([...list]).toEqual(sorted);
        expect(list.size).toBe(sorted.length);
        expect(list.first()).toBe(sorted[0]);
        expect(list.blocks.every((b) => b.length > 0 && b.length <= 256)).toBe(true);
        if (list.blocks.length > 2) split++;
      }),
      { numRuns: 100 },
    );
    expect(split).toBeGreaterThan(10);
  });

  it('firstAccepted walks the union of several lists in order', () => {
    const lists = fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { maxLength: 600, size: 'large' }), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(lists, fc.integer({ min: 1, max: 7 }), (raw, mod) => {
        const seen = new Set<number>();
        const parts = raw.map((xs) => xs.filter((x) => !seen.has(x) && seen.add(x)));
        const sls = parts.map((xs) => {
          const l = new SortedList(cmp);
          for (const x of xs) l.insert(x);
          return l;
        });
        const accept = (x: number) => x % mod === mod - 1;
        expect(firstAccepted(sls, cmp, accept)).toBe([...seen].sort(cmp).find(accept));
      }),
      { numRuns: 300 },
    );
  });
});
