import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  intervalLabel,
  intervalStart,
  intervalStarts,
  offsetAt,
  splitSpan,
  staffingByInterval,
  tzOffsetMs,
  type StateSpan,
} from '../../src/core/metrics/intervals.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Wall-clock time in Beijing (UTC+8) on the seed's day, 2008-01-18, as epoch ms. */
const cst = (h: number, m: number, s = 0, ms = 0) => Date.UTC(2008, 0, 18, h - 8, m, s, ms);

describe('tzOffsetMs', () => {
  it('reads offsets from the tz database, not the host', () => {
    expect(tzOffsetMs(cst(9, 0), 'Asia/Shanghai')).toBe(8 * HOUR);
    expect(tzOffsetMs(cst(9, 0), 'UTC')).toBe(0);
    expect(tzOffsetMs(cst(9, 0), 'Asia/Kathmandu')).toBe(5 * HOUR + 45 * MIN);
    // A DST zone, to show the method is general: New York is UTC−5 in January, UTC−4 in July.
    expect(tzOffsetMs(Date.UTC(2008, 0, 18, 12), 'America/New_York')).toBe(-5 * HOUR);
    expect(tzOffsetMs(Date.UTC(2008, 6, 18, 12), 'America/New_York')).toBe(-4 * HOUR);
  });
});

describe('offsetAt (remembered per UTC quarter-hour)', () => {
  it('equals the tz database at any instant from 1990 to 2100, across DST changes and odd offsets', () => {
    const zones = [
      'Asia/Shanghai',
      'America/New_York',
      'Europe/London',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/St_Johns',
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.constantFrom(...zones), (ts, tz) => {
        expect(offsetAt(ts, tz)).toBe(tzOffsetMs(ts, tz));
      }),
      { numRuns: 5000 },
    );
  });

  it("is exact where a change fell inside a quarter-hour: St John's at 00:01 local until 2011", () => {
    // Found by the property above (seed 1731316901): 2000-04-02 03:31 UTC, the spring change.
    for (const from of [Date.UTC(2000, 3, 2, 3, 0), Date.UTC(2000, 9, 29, 2, 0)]) {
      const seen = new Set<number>();
      for (let ts = from; ts < from + 3_600_000; ts += 30_000) {
        expect(offsetAt(ts, 'America/St_Johns'), new Date(ts).toISOString()).toBe(tzOffsetMs(ts, 'America/St_Johns'));
        seen.add(tzOffsetMs(ts, 'America/St_Johns'));
      }
      expect(seen.size, 'the hour holds the change').toBe(2);
    }
  });

  it('is exact on every minute of every day with an offset change, 2020 to 2030, in zones that change', () => {
    const DAY = 86_400_000;
    let changes = 0;
    for (const tz of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns']) {
      for (let day = Date.UTC(2020, 0, 1); day < Date.UTC(2030, 0, 1); day += DAY) {
        if (tzOffsetMs(day, tz) === tzOffsetMs(day + DAY, tz)) continue;
        changes++;
        for (let ts = day; ts <= day + DAY; ts += MIN)
          expect(offsetAt(ts, tz), `${tz} ${new Date(ts).toISOString()}`).toBe(tzOffsetMs(ts, tz));
      }
    }
    expect(changes).toBeGreaterThan(90);
  });
});

describe('intervalStart', () => {
  it('floors to the local quarter hour', () => {
    expect(intervalStart(cst(8, 52, 13, 500))).toBe(cst(8, 45));
    expect(intervalStart(cst(8, 59, 59, 999))).toBe(cst(8, 45));
  });

  it('puts an instant exactly on a boundary in the interval that starts there', () => {
    expect(intervalStart(cst(9, 0))).toBe(cst(9, 0));
  });

  it('aligns to the local clock when the offset is not a whole number of intervals', () => {
    // Kolkata is UTC+05:30: the local hour 10:00–11:00 IST starts at 04:30 UTC.
    const t = Date.UTC(2008, 0, 18, 5, 10); // 10:40 IST
    expect(intervalStart(t, 'Asia/Kolkata', 60)).toBe(Date.UTC(2008, 0, 18, 4, 30));
  });

  it('rejects lengths that do not divide an hour', () => {
    expect(() => intervalStart(cst(9, 0), 'Asia/Shanghai', 7)).toThrow(RangeError);
    expect(() => intervalStart(cst(9, 0), 'Asia/Shanghai', 0)).toThrow(RangeError);
  });
});

describe('splitSpan', () => {
  it('splits a span crossing one boundary by time spent on each side', () => {
    // 08:50 → 09:05: 10 min in 08:45~09:00, 5 min in 09:00~09:15.
    expect(splitSpan(cst(8, 50), cst(9, 5))).toEqual([
      { intervalStart: cst(8, 45), ms: 10 * MIN },
      { intervalStart: cst(9, 0), ms: 5 * MIN },
    ]);
  });

  it('gives nothing to the next interval when a span ends exactly on a boundary', () => {
    expect(splitSpan(cst(8, 45), cst(9, 0))).toEqual([{ intervalStart: cst(8, 45), ms: 15 * MIN }]);
    expect(splitSpan(cst(9, 0), cst(9, 15))).toEqual([{ intervalStart: cst(9, 0), ms: 15 * MIN }]);
  });

  it('splits a span longer than several intervals', () => {
    // 08:40 → 10:20 = 100 min = 5 (08:30 row) + 6 × 15 (08:45 … 10:00) + 5 (10:15 row).
    const shares = splitSpan(cst(8, 40), cst(10, 20));
    expect(shares.map((s) => s.ms / MIN)).toEqual([5, 15, 15, 15, 15, 15, 15, 5]);
    expect(shares[0]?.intervalStart).toBe(cst(8, 30));
    expect(shares[7]?.intervalStart).toBe(cst(10, 15));
  });

  it('crosses local midnight into the next day', () => {
    // 23:55 → 00:05 Beijing: 5 min on the 18th, 5 min on the 19th.
    expect(splitSpan(cst(23, 55), cst(24, 5))).toEqual([
      { intervalStart: cst(23, 45), ms: 5 * MIN },
      { intervalStart: cst(24, 0), ms: 5 * MIN },
    ]);
  });

  it('returns nothing for an empty or reversed span', () => {
    expect(splitSpan(cst(9, 0), cst(9, 0))).toEqual([]);
    expect(splitSpan(cst(9, 5), cst(9, 0))).toEqual([]);
  });

  it('conserves time and keeps every share inside one aligned interval (property)', () => {
    const base = cst(0, 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }), (a, d) => {
        const shares = splitSpan(base + a, base + a + d);
        expect(shares.reduce((s, x) => s + x.ms, 0)).toBe(d);
        shares.forEach((x, i) => {
          expect(x.ms).toBeGreaterThan(0);
          expect(x.ms).toBeLessThanOrEqual(15 * MIN);
          expect(intervalStart(x.intervalStart)).toBe(x.intervalStart);
          if (i > 0) expect(x.intervalStart - (shares[i - 1]?.intervalStart ?? 0)).toBe(15 * MIN);
        });
      }),
    );
  });
});

describe('labels and grids', () => {
  it('labels intervals like the seed table', () => {
    expect(intervalLabel(cst(8, 45))).toBe('08:45~09:00');
    expect(intervalLabel(cst(23, 45))).toBe('23:45~00:00');
  });

  it('lists every interval overlapping a window, empty ones included', () => {
    // 08:45 → 10:00 is five quarter hours.
    expect(intervalStarts(cst(8, 45), cst(10, 0)).map((s) => intervalLabel(s))).toEqual([
      '08:45~09:00',
      '09:00~09:15',
      '09:15~09:30',
      '09:30~09:45',
      '09:45~10:00',
    ]);
  });
});

describe('staffingByInterval', () => {
  it('two agents available for the full 15 minutes are 2.0 agents', () => {
    const spans: StateSpan[] = [
      { agentId: 'a1', state: 'available', start: cst(8, 45), end: cst(9, 0) },
      { agentId: 'a2', state: 'available', start: cst(8, 45), end: cst(9, 0) },
    ];
    expect(staffingByInterval(spans)).toEqual([{ intervalStart: cst(8, 45), byState: { available: 2 }, byPauseReason: {} }]);
  });

  it('splits states that cross a boundary and keeps pause reasons apart', () => {
    const spans: StateSpan[] = [
      { agentId: 'a1', state: 'available', start: cst(8, 45), end: cst(9, 0) },
      { agentId: 'a2', state: 'available', start: cst(8, 45), end: cst(9, 0) },
      { agentId: 'a3', state: 'available', start: cst(8, 45), end: cst(8, 50) },
      { agentId: 'a3', state: 'paused', reason: '培训', start: cst(8, 50), end: cst(9, 5) },
      { agentId: 'a4', state: 'paused', reason: '文书', start: cst(9, 0), end: cst(9, 15) },
    ];
    const [first, second] = staffingByInterval(spans);
    // 08:45 row: available (15 + 15 + 5) / 15 = 2.333…; paused 培训 10 / 15 = 0.666…
    expect(first?.intervalStart).toBe(cst(8, 45));
    expect(first?.byState.available).toBeCloseTo(35 / 15, 12);
    expect(first?.byState.paused).toBeCloseTo(10 / 15, 12);
    expect(first?.byPauseReason).toEqual({ 培训: expect.closeTo(10 / 15, 12) });
    // 09:00 row: 培训 5 / 15 = 0.333…; 文书 15 / 15 = 1; paused in all 20 / 15.
    expect(second?.byPauseReason['培训']).toBeCloseTo(1 / 3, 12);
    expect(second?.byPauseReason['文书']).toBe(1);
    expect(second?.byState.paused).toBeCloseTo(20 / 15, 12);
    expect(second?.byState.available).toBeUndefined();
  });

  it('spreads a long state over every interval it covers', () => {
    // One agent on a call 08:40 → 10:20: 1/3 agent in the first and last rows, 1.0 between.
    const rows = staffingByInterval([{ agentId: 'a1', state: 'on_call', start: cst(8, 40), end: cst(10, 20) }]);
    expect(rows.map((r) => r.byState.on_call)).toEqual([5 / 15, 1, 1, 1, 1, 1, 1, 5 / 15]);
  });
});
