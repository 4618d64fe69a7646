import type { Logger } from 'pino';
import type { PgRoutingRepo } from './routing-repo.js';
import type { CallerMemory } from './caller-memory.js';

export interface PreferredSeedDeps {
  /** The preferred-agent window; 0 or less turns the rule off, and this with it. */
  windowMs: number;
  repo: Pick<PgRoutingRepo, 'lastAgents'>;
  callers: Pick<CallerMemory, 'seed'>;
  now: () => number;
  log: Logger;
}

/**
 * The preferred-agent rule reads Redis (features/calls: lastAgentFor); history fills in what Redis
 * does not have yet, on a first start and after Redis lost its data, a page of callers at a time.
 * Loads never overlap: one asked for while another runs comes after it.
 */
export class PreferredSeed {
  private stopped = false;
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly d: PreferredSeedDeps) {}

  /** Loads from history after whatever load runs now; a failure is logged, not thrown. */
  load(): void {
    this.loading = this.loading
      .then(() => this.once())
      .catch((err: Error) => this.d.log.warn({ err: err.message }, 'preferred agents not loaded from history'));
  }

  /** Shutting down: a load stops between pages rather than find the pool closed under it. */
  halt(): void {
    this.stopped = true;
  }

  /** Resolves when the load under way (if any) has stopped. */
  settled(): Promise<void> {
    return this.loading;
  }

  private async once(): Promise<void> {
    const { windowMs } = this.d;
    if (windowMs <= 0) return;
    for (let after = ''; !this.stopped;) {
      const rows = await this.d.repo.lastAgents(windowMs, after);
      if (!rows.length) return;
      await this.d.callers.seed(
        rows.map((r) => ({ caller: r.caller, agentId: r.agentId, untilMs: r.at + windowMs })),
        this.d.now(),
      );
      after = rows[rows.length - 1]!.caller;
    }
  }
}
