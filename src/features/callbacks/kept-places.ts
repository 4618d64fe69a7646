import type { PgCallbackRepo } from './callback-repo.js';
import type { QueueStore } from '../routing/queue-store.js';
import type { CallbackJob } from './callback-service.js';
import { queueScore } from '../calls/queue-score.js';

/** Older kept places are not put back: a caller not called back within a day has been let down already. */
const KEPT_PLACES_WITHIN_MS = 24 * 3_600_000;

/**
 * After Redis lost the live state: the places callers kept to be called back while it lived
 * (`since`, when it began; at most a day back), as history recorded them, each put back by one
 * instance only. Places kept before it began were another live state's (put back, or dialled,
 * then). A place never dialled goes back into its queue at the place it had; one already dialled
 * without an answer, or being dialled by this instance now, had its remaining attempts in BullMQ,
 * lost with Redis: they are scheduled again (CallbackService.redial).
 */
export async function restoreKeptPlaces(d: {
  repo: Pick<PgCallbackRepo, 'keptPlaces'>;
  queues: Pick<QueueStore, 'claimKeptPlaceRestore' | 'enqueue'>;
  /** Schedules the attempts left after `attemptsBefore`; false if none are. */
  redial: (job: CallbackJob, attemptsBefore: number) => Promise<boolean>;
  /** Whether this instance is ringing the taxpayer for that place right now. */
  dialling: (callId: string) => boolean;
  owner: string;
  since: number;
  now: number;
}): Promise<{ queued: number; redialled: number }> {
  const put = { queued: 0, redialled: 0 };
  for (const p of await d.repo.keptPlaces({ since: new Date(Math.max(d.since, d.now - KEPT_PLACES_WITHIN_MS)) })) {
    if (!(await d.queues.claimKeptPlaceRestore(p.callId))) continue;
    const entry: CallbackJob = {
      callId: p.callId,
      queue: p.queue,
      skills: p.skills,
      priority: p.priority,
      enqueuedAt: p.enteredAt,
      caller: p.caller,
      preferredAgentId: p.preferredAgentId,
      excludedAgents: [],
      owner: d.owner,
      kind: 'callback',
      route: { line: p.line, subLine: p.subLine },
    };
    // A ring in flight here is in no history yet: putting its place back in the queue would ring
    // the taxpayer twice; the attempts after it are scheduled instead, and check history first.
    if (p.attempts === 0 && !d.dialling(p.callId)) {
      await d.queues.enqueue(entry, queueScore(p.priority, p.enteredAt));
      put.queued++;
    } else if (await d.redial(entry, p.attempts)) {
      put.redialled++;
    }
  }
  return put;
}
