import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterMissedOffer } from '../../src/core/agents/missed-offers.js';

describe('afterMissedOffer', () => {
  it('frees the agent until its run of misses reaches noAnswerPauseAfter, then pauses it', () => {
    expect(afterMissedOffer(1, 3)).toBe('unreserve');
    expect(afterMissedOffer(2, 3)).toBe('unreserve');
    expect(afterMissedOffer(3, 3)).toBe('missPause');
    // A count already past the limit (e.g. the limit lowered meanwhile) pauses too.
    expect(afterMissedOffer(5, 3)).toBe('missPause');
    expect(afterMissedOffer(1, 1)).toBe('missPause');
  });

  it('never pauses when noAnswerPauseAfter is 0', () => {
    fc.assert(fc.property(fc.nat(1000), (misses) => afterMissedOffer(misses, 0) === 'unreserve'));
  });

  it('pauses exactly from the Nth miss in a row on', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.nat(40),
        (pauseAfter, misses) => afterMissedOffer(misses, pauseAfter) === (misses >= pauseAfter ? 'missPause' : 'unreserve'),
      ),
    );
  });
});
