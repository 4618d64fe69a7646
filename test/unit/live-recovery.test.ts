import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { liveStateRecovery, type RecoveryDeps } from '../../src/features/live/recovery.js';
import { uuidv7, uuidv7Time } from '../../src/shared/uuidv7.js';

/** Plain fakes that record the order of the steps; `failAt` makes that step reject. */
function setup(failAt?: string) {
  const steps: string[] = [];
  const logged: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = pino(
    { level: 'warn' },
    {
      write: (line: string) => {
        const { msg, ...obj } = JSON.parse(line);
        logged.push({ obj, msg });
      },
    },
  );
  const step =
    <T>(name: string, value: T) =>
    async () => {
      steps.push(name);
      if (failAt === name) throw new Error(`${name} failed`);
      return value;
    };
  let kept: { since: number; now: number } | undefined;
  const deps: RecoveryDeps = {
    drainEvents: async (ms) => (steps.push(`drain ${ms}`), true),
    agents: { liveStateLost: step('agents', 3) },
    calls: { relist: async (all) => await step(`relist all=${all}`, 2)() },
    restoreKeptPlaces: async (since, now) => {
      kept = { since, now };
      return step('kept places', { queued: 1, redialled: 0 })();
    },
    stuck: { repair: step('stuck', ['1001']) },
    reloadPreferred: () => void steps.push('reload preferred'),
    kick: () => void steps.push('kick'),
    now: () => 1_000_000,
    log,
  };
  return { recover: liveStateRecovery(deps), steps, logged, kept: () => kept };
}

describe('live-state recovery', () => {
  it('puts back in order: history drained, agents, calls, kept places, stuck agents; then reloads preferred agents and kicks', async () => {
    const { recover, steps, logged, kept } = setup();
    const lost = uuidv7();
    await recover(lost);
    expect(steps).toEqual(['drain 5000', 'agents', 'relist all=true', 'kept places', 'stuck', 'reload preferred', 'kick']);
    // Kept places since the lost live state began (its identity is a UUIDv7), as of the start.
    expect(kept()).toEqual({ since: uuidv7Time(lost), now: 1_000_000 });
    expect(logged).toEqual([
      {
        obj: expect.objectContaining({
          agentsRestored: 3,
          agentsFreed: 1,
          callsQueued: 2,
          callbacksKept: { queued: 1, redialled: 0 },
          historyComplete: true,
        }),
        msg: 'live state put back',
      },
    ]);
  });

  it('an identity that is no UUIDv7 puts back kept places from the beginning of time', async () => {
    const { recover, kept } = setup();
    await recover('not-a-uuid');
    expect(kept()?.since).toBe(0);
  });

  it.each(['agents', 'relist all=true', 'kept places', 'stuck'])(
    'a failing step (%s) rejects, so the watch tries again, and nothing after it runs',
    async (failing) => {
      const { recover, steps } = setup(failing);
      await expect(recover(uuidv7())).rejects.toThrow(`${failing} failed`);
      expect(steps.at(-1)).toBe(failing);
      expect(steps).not.toContain('reload preferred');
      expect(steps).not.toContain('kick');
    },
  );
});
