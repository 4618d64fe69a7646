import { describe, expect, it } from 'vitest';
import { SharedRead } from '../../src/shared/shared-read.js';

function loader() {
  let calls = 0;
  let fail = false;
  const pending: Array<() => void> = [];
  const load = () =>
    new Promise<number>((resolve, reject) => {
      calls++;
      const n = calls;
      pending.push(() => (fail ? reject(new Error('pool ran dry')) : resolve(n)));
    });
  return { load, calls: () => calls, settle: () => pending.splice(0).forEach((f) => f()), failNext: (v: boolean) => (fail = v) };
}

describe('SharedRead', () => {
  it('callers during a read share it; within the age limit they get its value; after, a new read', async () => {
    let now = 0;
    const l = loader();
    const today = new SharedRead(l.load, 2000, () => now);
    const a = today.get();
    const b = today.get();
    l.settle();
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(l.calls()).toBe(1);
    now = 1999;
    expect(await today.get()).toBe(1);
    expect(l.calls()).toBe(1);
    now = 2000;
    const c = today.get();
    l.settle();
    expect(await c).toBe(2);
  });

  it('a failed read is not kept: the next caller reads again', async () => {
    let now = 0;
    const l = loader();
    const today = new SharedRead(l.load, 2000, () => now);
    l.failNext(true);
    const a = today.get();
    l.settle();
    await expect(a).rejects.toThrow('pool ran dry');
    l.failNext(false);
    now = 10;
    const b = today.get();
    l.settle();
    expect(await b).toBe(2);
  });

  it('soon(): waits for the first read only; then gives the last value at once, a newer read running behind it', async () => {
    let now = 0;
    const l = loader();
    const today = new SharedRead(l.load, 1000, () => now);
    const first = today.soon();
    l.settle();
    expect(await first).toBe(1);
    now = 5000;
    // Old: the last value now, not after the read it started.
    expect(await today.soon()).toBe(1);
    expect(l.calls()).toBe(2);
    // A second caller meanwhile starts no second read.
    expect(await today.soon()).toBe(1);
    expect(l.calls()).toBe(2);
    l.settle();
    await Promise.resolve();
    await Promise.resolve();
    expect(await today.soon()).toBe(2);
    // A failed read behind is not kept, and does not take the last value away.
    now = 10_000;
    l.failNext(true);
    expect(await today.soon()).toBe(2);
    l.settle();
    await new Promise((r) => setTimeout(r, 0));
    l.failNext(false);
    expect(await today.soon()).toBe(2);
    l.settle();
    await new Promise((r) => setTimeout(r, 0));
    expect(await today.soon()).toBe(4);
  });
});
