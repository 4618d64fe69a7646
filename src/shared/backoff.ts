import type { Logger } from 'pino';

export interface BackoffOptions {
  /** The first delay. */
  minMs: number;
  /** No delay is longer. */
  maxMs: number;
  /**
   * Each delay scaled by a random factor in [0.5, 1): instances that lost the same peer at the
   * same moment do not all come back at the same moment.
   */
  jitter?: boolean;
  random?: () => number;
}

/**
 * Delays that double from minMs up to maxMs, for retrying something that failed: one place for
 * the arithmetic the ARI event stream, the event stores and the Asterisk sync all need.
 */
export class Backoff {
  private attempt = 0;

  constructor(private readonly o: BackoffOptions) {}

  /** The delay before the next try; each call doubles the one after. */
  next(): number {
    const delay = Math.min(this.o.maxMs, this.o.minMs * 2 ** this.attempt);
    this.attempt++;
    return this.o.jitter ? delay * (0.5 + (this.o.random ?? Math.random)() / 2) : delay;
  }

  /** It worked: the next failure waits minMs again. */
  reset(): void {
    this.attempt = 0;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `task` until it succeeds or is no longer wanted (checked before each try), waiting a
 * doubling delay after each failure, which is logged as "`what` failed".
 */
export async function retry(
  task: () => Promise<void>,
  o: { stillWanted: () => boolean; log: Logger; what: string; backoff?: Backoff; wait?: (ms: number) => Promise<void> },
): Promise<void> {
  const backoff = o.backoff ?? new Backoff({ minMs: 250, maxMs: 10_000 });
  const wait = o.wait ?? sleep;
  while (o.stillWanted()) {
    try {
      await task();
      return;
    } catch (err) {
      const delay = backoff.next();
      o.log.warn({ err: (err as Error).message, retryInMs: delay }, `${o.what} failed`);
      await wait(delay);
    }
  }
}
