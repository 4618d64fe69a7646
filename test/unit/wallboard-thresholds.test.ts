import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_THRESHOLDS,
  metricLevel,
  thresholdProblems,
  tileLevel,
  type Level,
  type QueueFigures,
  type Thresholds,
} from '../../src/core/wallboard/thresholds.js';

const t: Thresholds = {
  waiting: { amber: 3, red: 10 },
  longestWaitS: { amber: 60, red: 180 },
  serviceLevelPct: { amber: 80, red: 60 },
  abandonRatePct: { amber: 5, red: 15 },
};
const calm: QueueFigures = { waiting: 0, longestWaitS: null, serviceLevel: null, abandonRate: null };

describe('wallboard thresholds: one figure', () => {
  it('higher is worse: below amber ok, from amber amber, from red red (limits inclusive)', () => {
    expect([2, 3, 9, 10, 11].map((v) => metricLevel('waiting', v, t))).toEqual(['ok', 'amber', 'amber', 'red', 'red']);
    expect([59, 60, 179, 180].map((v) => metricLevel('longestWaitS', v, t))).toEqual(['ok', 'amber', 'amber', 'red']);
    expect([4.9, 5, 15].map((v) => metricLevel('abandonRatePct', v, t))).toEqual(['ok', 'amber', 'red']);
  });

  it('service level: lower is worse, at or below amber amber, at or below red red', () => {
    expect([100, 80.1, 80, 60.5, 60, 0].map((v) => metricLevel('serviceLevelPct', v, t))).toEqual([
      'ok',
      'ok',
      'amber',
      'amber',
      'red',
      'red',
    ]);
  });

  it('a figure not known yet (no call today) is ok', () => {
    expect(metricLevel('serviceLevelPct', null, t)).toBe('ok');
    expect(metricLevel('longestWaitS', null, t)).toBe('ok');
  });
});

describe('wallboard thresholds: a tile', () => {
  it('takes its worst figure; rates come as 0..1 and compare in percent', () => {
    expect(tileLevel(calm, t)).toBe('ok');
    expect(tileLevel({ ...calm, waiting: 1, longestWaitS: 61 }, t)).toBe('amber');
    expect(tileLevel({ ...calm, waiting: 1, serviceLevel: 0.95, abandonRate: 0.2 }, t)).toBe('red');
    expect(tileLevel({ ...calm, serviceLevel: 0.7 }, t)).toBe('amber');
    expect(tileLevel({ ...calm, serviceLevel: 0.6 }, t)).toBe('red');
  });

  const thresholds = fc
    .record({
      w: fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 500 })),
      l: fc.tuple(fc.integer({ min: 1, max: 3599 }), fc.integer({ min: 1, max: 600 })),
      s: fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 })),
      a: fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 100 })),
    })
    .map(({ w, l, s, a }): Thresholds => ({
      waiting: { amber: w[0], red: Math.min(1000, w[0] + w[1]) },
      longestWaitS: { amber: l[0], red: Math.min(3600, l[0] + l[1]) },
      serviceLevelPct: { amber: s[0], red: Math.max(0, s[0] - s[1]) },
      abandonRatePct: { amber: a[0], red: Math.min(100, a[0] + a[1]) },
    }));
  const figures = fc.record({
    waiting: fc.integer({ min: 0, max: 2000 }),
    longestWaitS: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: null }),
    serviceLevel: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    abandonRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  });

  it('agrees with a plain reading of the rules (property)', () => {
    fc.assert(
      fc.property(thresholds, figures, (th, f) => {
        const red =
          f.waiting >= th.waiting.red ||
          (f.longestWaitS !== null && f.longestWaitS >= th.longestWaitS.red) ||
          (f.serviceLevel !== null && f.serviceLevel * 100 <= th.serviceLevelPct.red) ||
          (f.abandonRate !== null && f.abandonRate * 100 >= th.abandonRatePct.red);
        const amber =
          f.waiting >= th.waiting.amber ||
          (f.longestWaitS !== null && f.longestWaitS >= th.longestWaitS.amber) ||
          (f.serviceLevel !== null && f.serviceLevel * 100 <= th.serviceLevelPct.amber) ||
          (f.abandonRate !== null && f.abandonRate * 100 >= th.abandonRatePct.amber);
        const expected: Level = red ? 'red' : amber ? 'amber' : 'ok';
        expect(tileLevel(f, th)).toBe(expected);
      }),
    );
  });

  it('more callers waiting never makes a tile look better (property)', () => {
    const rank = { ok: 0, amber: 1, red: 2 };
    fc.assert(
      fc.property(thresholds, figures, fc.integer({ min: 0, max: 100 }), (th, f, more) => {
        expect(rank[tileLevel({ ...f, waiting: f.waiting + more }, th)]).toBeGreaterThanOrEqual(rank[tileLevel(f, th)]);
      }),
    );
  });

  it('generated thresholds are valid ones (the generator above is honest)', () => {
    fc.assert(
      fc.property(thresholds, (th) => {
        expect(thresholdProblems(th)).toEqual([]);
      }),
    );
  });
});

describe('wallboard thresholds: validation', () => {
  it('accepts the defaults', () => {
    expect(thresholdProblems(DEFAULT_THRESHOLDS)).toEqual([]);
  });

  it('amber must come before red, named at the field', () => {
    expect(thresholdProblems({ ...t, waiting: { amber: 5, red: 5 } })).toEqual([
      { path: 'waiting/amber', message: 'must be below red (5)' },
    ]);
    expect(thresholdProblems({ ...t, longestWaitS: { amber: 200, red: 100 } })[0]?.path).toBe('longestWaitS/amber');
    // Service level: lower is worse, so red must be below amber.
    expect(thresholdProblems({ ...t, serviceLevelPct: { amber: 60, red: 80 } })).toEqual([
      { path: 'serviceLevelPct/red', message: 'must be below amber (60): lower is worse' },
    ]);
  });

  it('refuses limits out of bounds or not whole', () => {
    expect(thresholdProblems({ ...t, waiting: { amber: 0, red: 10 } }).map((p) => p.path)).toEqual(['waiting/amber']);
    expect(thresholdProblems({ ...t, abandonRatePct: { amber: 5, red: 101 } }).map((p) => p.path)).toEqual(['abandonRatePct/red']);
    expect(thresholdProblems({ ...t, longestWaitS: { amber: 1.5, red: 10 } }).map((p) => p.path)).toEqual(['longestWaitS/amber']);
  });

  it('any valid pair passes, any pair in the wrong order fails (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (a, r) => {
        const problems = thresholdProblems({ ...t, waiting: { amber: a, red: r } });
        expect(problems.length === 0).toBe(a < r);
      }),
    );
  });
});
