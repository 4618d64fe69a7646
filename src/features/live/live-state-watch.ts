import type { Logger } from 'pino';

export interface LiveStateWatchDeps {
  /** LiveEpoch.current (epoch.ts): the live state's identity, set to the candidate if it has none. */
  epoch: (candidate: string) => Promise<string>;
  newId: () => string;
  /** Puts back what this instance knows and Redis no longer has; `lost` is the identity that went. */
  recover: (lost: string) => Promise<void>;
  log: Logger;
}

/**
 * Notices that Redis lost the live state (restarted without persistence, flushed, failed over to
 * an empty replica). Nothing else would: waiting callers live on in this instance's memory but no
 * longer in any queue, so no agent would ever be offered them.
 */
export class LiveStateWatch {
  private known: string | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly d: LiveStateWatchDeps) {}

  /**
   * The first check only learns the identity; a later one that finds another recovers. A check
   * asked for while one runs (a slow recovery) waits for it rather than start a second.
   */
  check(): Promise<void> {
    return (this.running ??= this.once().finally(() => (this.running = undefined)));
  }

  private async once(): Promise<void> {
    const now = await this.d.epoch(this.d.newId());
    if (this.known === undefined || now === this.known) {
      this.known = now;
      return;
    }
    this.d.log.error('Redis lost the live state (queues, agent states): putting back what this instance holds');
    try {
      await this.d.recover(this.known);
      this.known = now;
    } catch (err) {
      // Tried again at the next check.
      this.d.log.error({ err: (err as Error).message }, 'live state not put back');
    }
  }
}
