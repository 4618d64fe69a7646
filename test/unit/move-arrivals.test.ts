import { describe, expect, it } from 'vitest';
import { MoveArrivals } from '../../src/features/calls/move-arrivals.js';

describe('a takeover waits for its moves to land', () => {
  it('resolves as soon as every channel arrived, even one that arrived before the wait began', async () => {
    const a = new MoveArrivals();
    const p = a.expect(['c1', 'c2']);
    a.arrived('c1');
    const t0 = Date.now();
    setTimeout(() => a.arrived('c2'), 20);
    expect(await p.within(5000)).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('gives up after the bound and names the channels still held back; a refused move is not waited for', async () => {
    const a = new MoveArrivals();
    const p = a.expect(['c1', 'c2', 'c3']);
    a.arrived('c1');
    p.forget('c3');
    expect(await p.within(50)).toEqual(['c2']);
    // Late arrivals and channels nobody waits for are ignored.
    a.arrived('c2');
    a.arrived('c9');
    expect(await a.expect([]).within(10)).toEqual([]);
  });
});
