import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { addDays, localDay } from './days.js';
import type { CatchUpParams, CatchUpResult } from './service.js';

/** What the sweep has done on this instance, for /metrics. */
export interface RollupSweepStatus {
  runs: number;
  daysBuilt: number;
  /** When the last sweep on this instance ended (ms), and how long it took. */
  lastRunAt: number | null;
  lastRunMs: number | null;
  /** Days the last sweep found without a valid rollup and did not build (another instance had them, or it failed). */
  pending: number | null;
  failures: number;
}

export interface RollupSweepOptions {
  /** BullMQ's connection: blocking commands, never gives up (maxRetriesPerRequest: null). */
  connection: Redis;
  prefix: string;
  log: Logger;
  tz: string;
  everyMs: number;
  /** Closed days this far back (from yesterday) are kept built. */
  lookbackDays: number;
  /** SL thresholds whose call rollups are kept ready besides the default. */
  slSeconds: readonly number[];
  now: () => number;
  /** The build itself, on the reports' thread (ReportsInWorker.catchUp). */
  catchUp: (p: CatchUpParams) => Promise<CatchUpResult>;
}

const QUEUE = 'reports-rollups';

/** The `lookbackDays` local days before the one containing `now` (yesterday the last). Pure. */
export function sweepWindow(now: number, tz: string, lookbackDays: number): { from: string; to: string } {
  const to = addDays(localDay(now, tz), -1);
  return { from: addDays(to, 1 - lookbackDays), to };
}
const SCHEDULER = 'reports-rollups-sweep';

/**
 * Builds closed days' rollups in the background, so that the first report of any closed month
 * reads stored rollups instead of computing 20-odd days from raw rows (23 s for a month of the
 * 5 M-call year, docs/benchmarks.md). A BullMQ job scheduler fires a sweep every `everyMs`
 * (and once at start): one job per tick for all instances, as they share the scheduler id.
 * A sweep finds closed days in the look-back (from the first with calls on) that lack a valid rollup: yesterday once
 * it has been closed an hour (store.CLOSE_AFTER_MS), days a late write or a backfill marked,
 * days never built; see ReportService.catchUp. The work runs on the reports' thread, never on
 * the one that routes calls; this side only awaits it.
 *
 * A sweep longer than `everyMs` lets the next tick's job start on another instance: both then
 * share the days (each day under a Postgres try-lock, and checked again once held), so no day
 * is built twice. Jobs are not retried: the next tick is the retry.
 */
export class RollupSweep {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;
  private readonly s: RollupSweepStatus = { runs: 0, daysBuilt: 0, lastRunAt: null, lastRunMs: null, pending: null, failures: 0 };

  constructor(private readonly o: RollupSweepOptions) {
    this.queue = new Queue(QUEUE, { connection: o.connection, prefix: o.prefix });
  }

  start(): void {
    // The worker blocks on a connection of its own.
    this.workerConnection = this.o.connection.duplicate();
    this.worker = new Worker(QUEUE, () => this.sweep(), {
      connection: this.workerConnection,
      prefix: this.o.prefix,
      // One sweep at a time per instance; its days are built one after another anyway.
      concurrency: 1,
    });
    // Redis gone or its keys lost mid-job (a job then cannot be marked done): logged, the next tick sweeps again.
    this.worker.on('error', (err) => this.o.log.debug({ err: err.message }, 'report rollup sweep worker error'));
    this.worker.on('failed', (_job, err) => {
      this.s.failures += 1;
      this.o.log.warn({ err: err.message }, 'report rollup sweep failed');
    });
    // Not awaited: the service starts without Redis answering (the scheduler is written when it does).
    this.queue
      .upsertJobScheduler(
        SCHEDULER,
        { every: this.o.everyMs },
        { name: 'sweep', opts: { attempts: 1, removeOnComplete: 50, removeOnFail: 50 } },
      )
      .catch((err: Error) => this.o.log.warn({ err: err.message }, 'report rollup sweep not scheduled'));
  }

  /** The closed days looked at: from `lookbackDays` ago to yesterday, local days of the zone. */
  window(): CatchUpParams {
    return { ...sweepWindow(this.o.now(), this.o.tz, this.o.lookbackDays), slSeconds: this.o.slSeconds };
  }

  /** One sweep (what each job does). */
  async sweep(): Promise<CatchUpResult> {
    const w = this.window();
    const r = await this.o.catchUp(w);
    this.s.runs += 1;
    this.s.daysBuilt += r.built.length;
    this.s.lastRunAt = this.o.now();
    this.s.lastRunMs = r.ms;
    this.s.pending = r.found - r.built.length;
    if (r.found > 0 || r.busy.length > 0)
      this.o.log.info(
        { from: w.from, to: w.to, found: r.found, built: r.built.length, days: r.built.slice(0, 31), busy: r.busy.length, ms: r.ms },
        'report rollups built in the background',
      );
    else this.o.log.debug({ from: w.from, to: w.to, ms: r.ms }, 'report rollups: every closed day is built');
    return r;
  }

  status(): RollupSweepStatus {
    return { ...this.s };
  }

  /** Stops taking sweeps; one in progress is abandoned (its day's transaction rolls back, the next tick redoes it). */
  async stop(): Promise<void> {
    await this.worker?.close(true);
    await this.queue.close();
    this.workerConnection?.disconnect();
  }
}
