import { describe, expect, it } from 'vitest';
import { late } from '../../src/shared/late.js';

describe('late', () => {
  it('gives what was bound; refuses a use before and a second binding', () => {
    const port = late<{ v: number }>('the thing');
    expect(() => port.get()).toThrow(/the thing used before it was wired/);
    port.bind({ v: 1 });
    expect(port.get().v).toBe(1);
    expect(() => port.bind({ v: 2 })).toThrow(/wired twice/);
  });
});
