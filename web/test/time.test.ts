import { describe, expect, it } from 'vitest';
import { beijingDay, formatDateTime, formatDuration, formatPercent } from '../src/lib/time';

describe('times as the hotline reads them', () => {
  it('shows instants in Beijing time whatever the machine’s zone', () => {
    // 2026-12-06 16:30 UTC is 00:30 the next day in Beijing.
    expect(beijingDay('2026-12-06T16:30:00Z')).toBe('2026-12-07');
    expect(formatDateTime('2026-12-06T16:30:05Z')).toBe('2026/12/07 00:30:05');
    expect(formatDateTime(null)).toBe('—');
    // Not a time: shown as it came, never a RangeError that blanks the page.
    expect(formatDateTime('queue')).toBe('queue');
  });

  it('writes durations as m:ss, and h:mm:ss from an hour', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.9)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatPercent(0.8567)).toBe('85.7%');
    expect(formatPercent(null)).toBe('—');
  });
});
