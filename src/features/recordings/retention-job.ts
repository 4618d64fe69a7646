import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RetentionResult } from './recording-service.js';

export interface RetentionJobOptions {
  /** BullMQ's connection: blocking commands, never gives up (maxRetriesPerRequest: null). */
  connection: Redis;
  prefix: string;
  log: Logger;
  /** Cron pattern (RECORDINGS_RETENTION_CRON) in `tz`. */
  pattern: string;
  tz: string;
  /** One run: recover unfinished recordings, then delete the expired ones not on hold. */
  run: () => Promise<RetentionResult>;
}

const QUEUE = 'recordings-retention';
const SCHEDULER = 'recordings-retention-daily';

/**
 * The daily retention run, as a BullMQ job scheduler: every instance registers the same
 * scheduler id, so one job per day runs on one instance, and a run that fails is retried by the
 * next day's (each run records itself in recording_retention_runs, so a missed day shows).
 */
export class RetentionJob {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private workerConnection: Redis | undefined;

  constructor(private readonly o: RetentionJobOptions) {
    this.queue = new Queue(QUEUE, { connection: o.connection, prefix: o.prefix });
  }

  start(): void {
    this.workerConnection = this.o.connection.duplicate();
    this.worker = new Worker(QUEUE, () => this.o.run(), { connection: this.workerConnection, prefix: this.o.prefix, concurrency: 1 });
    this.worker.on('error', (err) => this.o.log.debug({ err: err.message }, 'recording retention worker error'));
    this.worker.on('failed', (_job, err) => this.o.log.warn({ err: err.message }, 'recording retention run failed'));
    this.queue
      .upsertJobScheduler(
        SCHEDULER,
        { pattern: this.o.pattern, tz: this.o.tz },
        { name: 'retention', opts: { attempts: 1, removeOnComplete: 30, removeOnFail: 30 } },
      )
      .catch((err: Error) => this.o.log.warn({ err: err.message }, 'recording retention not scheduled'));
  }

  async stop(): Promise<void> {
    await this.worker?.close(true);
    await this.queue.close();
    this.workerConnection?.disconnect();
  }
}
