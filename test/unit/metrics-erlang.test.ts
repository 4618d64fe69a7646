import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  agentsNeeded,
  averageSpeedOfAnswerS,
  erlangC,
  serviceLevel,
  staffingAdvice,
  trafficErlangs,
} from '../../src/core/metrics/erlang-c.js';

/**
 * Second, independent implementation: the Erlang B recursion
 *   B(0, A) = 1,  B(n, A) = A·B(n−1, A) / (n + A·B(n−1, A))
 * and C(N, A) = N·B / (N − A·(1 − B)) (e.g. Wikipedia "Erlang (unit)", Erlang C formula;
 * any queueing text). The code under test sums the series instead.
 */
function erlangCviaB(n: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  return (n * b) / (n - a * (1 - b));
}

/** Third form, straight from the textbook formula with factorials (fine for small N). */
function erlangCdirect(n: number, a: number): number {
  let fact = 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) fact *= k;
    sum += a ** k / fact;
  }
  const last = (a ** n / (fact * n)) * (n / (n - a));
  return last / (sum + last);
}

describe('erlangC', () => {
  it('matches the published values for A = 10 Erlangs', () => {
    // Textbook table for 10 Erlangs: P(wait) for N = 11…14.
    expect(erlangC(11, 10)).toBeCloseTo(0.6821, 4);
    expect(erlangC(12, 10)).toBeCloseTo(0.4494, 4);
    expect(erlangC(13, 10)).toBeCloseTo(0.2853, 4);
    expect(erlangC(14, 10)).toBeCloseTo(0.1741, 4);
  });

  it('M/M/1: P(wait) = utilisation', () => {
    // N = 1: C = A; with A = 0.5 → 0.5.
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 15);
  });

  it('edge cases: no traffic never waits, N <= A always waits', () => {
    expect(erlangC(3, 0)).toBe(0);
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(5, 12.5)).toBe(1);
    expect(() => erlangC(2.5, 1)).toThrow(RangeError);
    expect(() => erlangC(2, -1)).toThrow(RangeError);
  });

  it('agrees with the Erlang B recursion and the factorial formula (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (n, rho) => {
        const a = n * rho;
        const c = erlangC(n, a);
        expect(c).toBeCloseTo(erlangCviaB(n, a), 10);
        expect(c).toBeCloseTo(erlangCdirect(n, a), 9);
      }),
    );
  });

  it('stays finite and correct where factorials would overflow', () => {
    // 171! overflows a double; the normalised sum does not care.
    const c = erlangC(1000, 950);
    expect(Number.isFinite(c)).toBe(true);
    expect(c).toBeCloseTo(erlangCviaB(1000, 950), 10);
    expect(erlangC(500, 1)).toBe(0); // the chance is below 1e-300: 0 in a double
  });
});

describe('serviceLevel (Erlang C)', () => {
  // 50 calls in 15 min at AHT 180 s: A = 50 · 180 / 900 = 10 Erlangs; target 20 s.
  it('SL = 1 − C · e^(−(N − A)·t/AHT)', () => {
    expect(trafficErlangs(50, 180, 900)).toBe(10);
    // N = 13: 1 − 0.2853 · e^(−3·20/180) = 1 − 0.2853 · 0.7165 = 0.7956
    expect(serviceLevel(13, 50, 180, 900, 20)).toBeCloseTo(0.7956, 4);
    // N = 14: 1 − 0.1741 · e^(−4·20/180) = 1 − 0.1741 · 0.6412 = 0.8884
    expect(serviceLevel(14, 50, 180, 900, 20)).toBeCloseTo(0.8884, 4);
    expect(serviceLevel(10, 50, 180, 900, 20)).toBe(0); // N = A: unstable
    expect(serviceLevel(0, 0, 180, 900, 20)).toBe(1); // no calls
  });

  it('ASA = C · AHT / (N − A)', () => {
    // N = 14: 0.1741 · 180 / 4 = 7.84 s.
    expect(averageSpeedOfAnswerS(14, 10, 180)).toBeCloseTo((0.174132 * 180) / 4, 3);
  });
});

describe('agentsNeeded', () => {
  const base = { calls: 50, ahtS: 180, intervalS: 900, targetS: 20 };

  it('is the smallest N meeting the target', () => {
    // 80/20 → 13 gives 79.6 % (short), 14 gives 88.8 %.
    expect(agentsNeeded({ ...base, targetSL: 0.8 })).toBe(14);
    // 70/20 → 12 gives 64.0 %, 13 gives 79.6 %.
    expect(agentsNeeded({ ...base, targetSL: 0.7 })).toBe(13);
    // Target 0: still more agents than traffic, the smallest integer above A = 10.
    expect(agentsNeeded({ ...base, targetSL: 0 })).toBe(11);
  });

  it('honours an occupancy cap', () => {
    // 10 / N <= 0.7 → N >= 14.29 → 15.
    expect(agentsNeeded({ ...base, targetSL: 0.8, maxOccupancy: 0.7 })).toBe(15);
  });

  it('no calls need no agents; bad targets are refused', () => {
    expect(agentsNeeded({ ...base, calls: 0, targetSL: 0.8 })).toBe(0);
    expect(() => agentsNeeded({ ...base, targetSL: 1 })).toThrow(RangeError);
    expect(() => agentsNeeded({ ...base, targetSL: 0.8, maxOccupancy: 0 })).toThrow(RangeError);
  });
});

describe('staffingAdvice', () => {
  it('advises per interval', () => {
    const t0 = Date.UTC(2008, 0, 18, 0, 45);
    const advice = staffingAdvice(
      [
        { start: t0, offered: 50, ahtS: 180 },
        { start: t0 + 900_000, offered: 0, ahtS: 180 },
      ],
      { targetS: 20, targetSL: 0.8 },
    );
    expect(advice.map((a) => [a.start, a.needed, a.trafficErlangs])).toEqual([
      [t0, 14, 10],
      [t0 + 900_000, 0, 0],
    ]);
    expect(advice[0]?.serviceLevel).toBeCloseTo(0.8884, 4);
  });
});
