import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Backoff, retry } from '../../src/shared/backoff.js';

const silent = pino({ level: 'silent' });

describe('Backoff', () => {
  it('doubles from the first delay up to the cap, and starts over after a reset', () => {
    const b = new Backoff({ minMs: 100, maxMs: 1000 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('stays at the cap however many failures came before', () => {
    const b = new Backoff({ minMs: 250, maxMs: 10_000 });
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(10_000);
  });

  it('with jitter, waits between half and all of the delay', () => {
    const lo = new Backoff({ minMs: 200, maxMs: 1000, jitter: true, random: () => 0 });
    const hi = new Backoff({ minMs: 200, maxMs: 1000, jitter: true, random: () => 0.999999 });
    expect(lo.next()).toBe(100);
    expect(hi.next()).toBeCloseTo(200, 3);
    expect(lo.next()).toBe(200);
  });
});

describe('retry', () => {
  it('tries again after each failure with a doubling delay, until it succeeds', async () => {
    const waits: number[] = [];
    let n = 0;
    await retry(
      async () => {
        if (++n < 4) throw new Error('down');
      },
      {
        stillWanted: () => true,
        log: silent,
        what: 'x',
        wait: async (ms) => void waits.push(ms),
      },
    );
    expect(n).toBe(4);
    expect(waits).toEqual([250, 500, 1000]);
  });

  it('stops trying once no longer wanted, and does not start when not wanted', async () => {
    let n = 0;
    let wanted = true;
    await retry(
      async () => {
        n++;
        wanted = n < 2;
        throw new Error('down');
      },
      { stillWanted: () => wanted, log: silent, what: 'x', wait: async () => undefined },
    );
    expect(n).toBe(2);
    await retry(async () => void n++, { stillWanted: () => false, log: silent, what: 'x' });
    expect(n).toBe(2);
  });
});
