import { describe, expect, it } from 'vitest';
import { idleWhileWaiting } from '../../bench/idle-while-waiting.js';

describe('idle agents while callers wait (the ACD benchmark measure)', () => {
  it('counts nothing when every free agent is dialled the moment a caller waits', () => {
    // Two agents; a caller waits while both talk and is dialled as one of them hangs up.
    const busy = [
      { start: 0, end: 100 },
      { start: 0, end: 200 },
      { start: 100, end: 300 },
    ];
    expect(idleWhileWaiting([{ start: 50, end: 100 }], busy, 2)).toEqual({ agentMs: 0, waitingMs: 50 });
  });

  it('counts a free agent while a caller waits, once however many callers wait', () => {
    // One agent, free from 100 to 400; three callers waiting from 150 until it is dialled at 400.
    const busy = [
      { start: 0, end: 100 },
      { start: 400, end: 700 },
    ];
    const waits = [
      { start: 150, end: 400 },
      { start: 160, end: 700 },
      { start: 170, end: 700 },
    ];
    expect(idleWhileWaiting(waits, busy, 1)).toEqual({ agentMs: 250, waitingMs: 550 });
  });

  it('counts as many agents as are free, up to the number waiting', () => {
    // Three agents all free; two callers wait 0..100, one more until 150.
    const waits = [
      { start: 0, end: 100 },
      { start: 0, end: 100 },
      { start: 0, end: 150 },
    ];
    expect(idleWhileWaiting(waits, [], 3).agentMs).toBe(2 * 100 + 1 * 100 + 1 * 50);
  });
});
