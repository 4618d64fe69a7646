import { describe, expect, it } from 'vitest';
import { OrderedDispatch } from '../../src/features/calls/ordered-dispatch.js';

describe('ordered dispatch', () => {
  it('keeps order within a key even when earlier tasks are slower, and survives a failing task', async () => {
    const errors: string[] = [];
    const d = new OrderedDispatch((k) => errors.push(k));
    const seen: string[] = [];
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    d.submit('a', async () => {
      await sleep(30);
      seen.push('a1');
    });
    d.submit('b', async () => {
      seen.push('b1');
    });
    d.submit('a', async () => {
      throw new Error('boom');
    });
    d.submit('a', async () => {
      seen.push('a3');
    });
    await d.idle();
    expect(seen).toEqual(['b1', 'a1', 'a3']);
    expect(errors).toEqual(['a']);
    expect(d.busyKeys).toBe(0);
  });
});
