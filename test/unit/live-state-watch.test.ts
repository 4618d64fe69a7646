import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LiveStateWatch } from '../../src/features/live/live-state-watch.js';
import { uuidv7, uuidv7Time } from '../../src/shared/uuidv7.js';

/** Redis's epoch key as LiveEpoch.current treats it: set to the candidate only when missing. */
function setup(failFirstRecovery = false) {
  let stored: string | undefined;
  let n = 0;
  const recoveries: number[] = [];
  let fail = failFirstRecovery;
  const watch = new LiveStateWatch({
    epoch: async (candidate) => (stored ??= candidate),
    newId: () => `id-${++n}`,
    recover: async () => {
      recoveries.push(Date.now());
      await new Promise((r) => setTimeout(r, 10));
      if (fail) {
        fail = false;
        throw new Error('postgres away');
      }
    },
    log: pino({ level: 'silent' }),
  });
  return { watch, recoveries, lose: () => void (stored = undefined) };
}

describe('LiveStateWatch', () => {
  it('recovers once when Redis lost the live state, not at the first check nor while it holds', async () => {
    const { watch, recoveries, lose } = setup();
    await watch.check();
    await watch.check();
    expect(recoveries).toHaveLength(0);
    lose();
    // Checks that overlap a recovery wait for it rather than start another.
    await Promise.all([watch.check(), watch.check(), watch.check()]);
    expect(recoveries).toHaveLength(1);
    await watch.check();
    expect(recoveries).toHaveLength(1);
  });

  it('tries again at the next check when a recovery fails', async () => {
    const { watch, recoveries, lose } = setup(true);
    await watch.check();
    lose();
    await watch.check();
    expect(recoveries).toHaveLength(1);
    await watch.check();
    expect(recoveries).toHaveLength(2);
    await watch.check();
    expect(recoveries).toHaveLength(2);
  });

  it('an instance that finds another instance already set a new identity recovers too', async () => {
    let stored = 'first';
    const recovered: string[] = [];
    const watch = new LiveStateWatch({
      epoch: async () => stored,
      newId: () => 'unused',
      recover: async (lost) => void recovered.push(lost),
      log: pino({ level: 'silent' }),
    });
    await watch.check();
    stored = 'set-by-the-other-instance';
    await watch.check();
    // Told which live state was lost: what was kept while it lived is what to put back.
    expect(recovered).toEqual(['first']);
  });

  it('an identity made as a UUIDv7 tells when its live state began', () => {
    const at = Date.parse('2026-11-28T09:00:00.123Z');
    expect(uuidv7Time(uuidv7(at))).toBe(at);
    expect(uuidv7Time('not-a-uuid')).toBeUndefined();
  });
});
