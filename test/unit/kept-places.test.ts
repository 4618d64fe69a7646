import { describe, expect, it } from 'vitest';
import type { KeptPlace } from '../../src/features/callbacks/callback-repo.js';
import type { CallbackJob } from '../../src/features/callbacks/callback-service.js';
import { restoreKeptPlaces } from '../../src/features/callbacks/kept-places.js';
import { queueScore } from '../../src/features/calls/queue-score.js';

const place = (callId: string, attempts: number): KeptPlace => ({
  callId,
  caller: `0571${callId}`,
  queue: 'ntax-vat',
  skills: { vat: 4 },
  priority: 1,
  line: '国税',
  subLine: '增值税',
  enteredAt: 1_000 + attempts,
  attempts,
});

describe('kept callback places put back after Redis lost the live state', () => {
  it('a place never dialled goes back in its queue; one dialled, or ringing here now, gets its attempts scheduled; one claimed elsewhere is left', async () => {
    const places = [place('never', 0), place('ringing-here', 0), place('twice', 2), place('used-up', 3), place('elsewhere', 0)];
    const enqueued: Array<[string, number]> = [];
    const redialled: Array<[string, number]> = [];
    let since: Date | undefined;
    const put = await restoreKeptPlaces({
      repo: {
        keptPlaces: async (p) => {
          since = p.since;
          return places;
        },
      },
      queues: {
        claimKeptPlaceRestore: async (callId) => callId !== 'elsewhere',
        enqueue: async (d, score) => {
          enqueued.push([d.callId, score]);
          return 1;
        },
      },
      redial: async (job: CallbackJob, before: number) => {
        redialled.push([job.callId, before]);
        return before < 3;
      },
      dialling: (callId) => callId === 'ringing-here',
      owner: 'i1',
      since: 90_000_000,
      now: 100_000_000,
    });
    expect(enqueued).toEqual([['never', queueScore(1, 1_000)]]);
    expect(redialled).toEqual([
      ['ringing-here', 0],
      ['twice', 2],
      ['used-up', 3],
    ]);
    expect(put).toEqual({ queued: 1, redialled: 2 });
    expect(since).toEqual(new Date(90_000_000));
  });

  it('looks back at most a day, however old the lost live state', async () => {
    let since: Date | undefined;
    await restoreKeptPlaces({
      repo: {
        keptPlaces: async (p) => {
          since = p.since;
          return [];
        },
      },
      queues: { claimKeptPlaceRestore: async () => true, enqueue: async () => 1 },
      redial: async () => true,
      dialling: () => false,
      owner: 'i1',
      since: 0,
      now: 200_000_000,
    });
    expect(since).toEqual(new Date(200_000_000 - 86_400_000));
  });
});
