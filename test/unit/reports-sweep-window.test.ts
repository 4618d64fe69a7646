import { describe, expect, it } from 'vitest';
import { sweepWindow } from '../../src/features/reports/rollup-sweep.js';

describe('the roll-up sweep window', () => {
  it('ends yesterday, local day of the zone, and spans the look-back', () => {
    // 2026-12-07 00:30 in Shanghai is still 2026-12-06 in UTC: yesterday is the 6th, not the 5th.
    // 400 days ending 2026-12-06: 365 of them back to 2025-12-07, 35 more back to 2025-11-02.
    const now = Date.parse('2026-12-07T00:30:00+08:00');
    expect(sweepWindow(now, 'Asia/Shanghai', 400)).toEqual({ from: '2025-11-02', to: '2026-12-06' });
    expect(sweepWindow(now, 'UTC', 1)).toEqual({ from: '2026-12-05', to: '2026-12-05' });
  });
});
