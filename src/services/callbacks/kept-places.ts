import type { PgCallbackRepo } from '../../adapters/postgres/callback-repo.js';
import type { LiveState } from '../../adapters/redis/live-state.js';
import { queueScore } from '../calls/queue-score.js';

/** Older kept places are not put back: a caller not called back within a day has been let down already. */
const KEPT_PLACES_WITHIN_MS = 24 * 3_600_000;

/**
 * After Redis lost the live state: the places callers kept to be called back while it lived
 * (`since`, when it began; at most a day back), as history recorded them, go back into their
 * queues at the place they had, each put back by one instance only. Places kept before it began
 * were another live state's (put back, or dialled, then). A place already dialled once is not put
 * back: its remaining attempts were BullMQ's, lost with Redis; that caller stays on
 * GET /api/callbacks until someone reaches them.
 */
export async function restoreKeptPlaces(d: {
  repo: Pick<PgCallbackRepo, 'keptPlaces'>;
  live: Pick<LiveState, 'claimKeptPlaceRestore' | 'enqueue'>;
  owner: string;
  since: number;
  now: number;
}): Promise<number> {
  let restored = 0;
  for (const p of await d.repo.keptPlaces(new Date(Math.max(d.since, d.now - KEPT_PLACES_WITHIN_MS)))) {
    if (!(await d.live.claimKeptPlaceRestore(p.callId))) continue;
    await d.live.enqueue(
      { callId: p.callId, queue: p.queue, skills: p.skills, priority: p.priority, enqueuedAt: p.enteredAt, caller: p.caller,
        preferredAgentId: p.preferredAgentId, excludedAgents: [], owner: d.owner, kind: 'callback', route: { line: p.line, subLine: p.subLine } },
      queueScore(p.priority, p.enteredAt),
    );
    restored++;
  }
  return restored;
}
