import type { PendingCallback, PgCallbackRepo } from './callback-repo.js';

export type { PendingCallback };

/**
 * What ops read about callbacks, from history: the callers still owed one. Apart from
 * CallbackService, which dials them through BullMQ and has no business with these reads.
 */
export class CallbackQueries {
  constructor(private readonly repo: Pick<PgCallbackRepo, 'pending'>) {}

  /** Callers whose latest call within `days` went unanswered and who have not reached an agent since, oldest first. */
  pending(p: { days: number; includeShort: boolean; queue?: string }): Promise<PendingCallback[]> {
    return this.repo.pending({ sinceMs: p.days * 86_400_000, includeShort: p.includeShort, queue: p.queue });
  }
}
