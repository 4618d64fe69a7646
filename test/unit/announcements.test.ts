import { describe, expect, it } from 'vitest';
import { announcementPrompts, expectedWaitS, positionAnnouncement, zhNumber } from '../../src/core/call/announcements.js';

describe('queue announcements', () => {
  it('speaks numbers the way Mandarin does', () => {
    expect([1, 10, 11, 15, 20, 23, 99].map(zhNumber)).toEqual(['一', '十', '十一', '十五', '二十', '二十三', '九十九']);
    expect(() => zhNumber(100)).toThrow(RangeError);
  });

  it('tells the first caller they are next, and later callers how many are ahead', () => {
    const p = announcementPrompts();
    expect(p['queue-ahead-1']!.zh).toBe('您是下一位。');
    expect(p['queue-ahead-4']!.zh).toBe('您前面还有三位来电。');
    expect(positionAnnouncement(4, 200, true)).toEqual(['queue-ahead-4', 'queue-wait-4', 'queue-waiting']);
    expect(positionAnnouncement(35, 5000, false)).toEqual(['queue-ahead-many', 'queue-wait-long']);
    // Every name an announcement can use exists.
    for (const pos of [1, 20, 21])
      for (const w of [1, 60, 900, 901, 99_999]) {
        for (const name of positionAnnouncement(pos, w, false)) expect(p).toHaveProperty(name);
      }
  });

  it('expects one handle time per caller up to you, shared by the agents serving the queue', () => {
    expect(expectedWaitS(3, 2, 180)).toBe(270);
    expect(expectedWaitS(1, 0, 180)).toBe(180);
  });
});
