import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface SlaJob {
  orderId: string;
  kind: 'remind' | 'escalate';
  /** The order's sla_generation when the job was scheduled: a job of an earlier due time does nothing. */
  generation: number;
}

/**
 * The work orders' reminders and escalations: BullMQ delayed jobs in a queue of their own
 * (`workorder-sla`), so they survive a restart of the service (they live in Redis) and run on
 * whichever instance is up when they are due. A job decides nothing itself: `fire` reads the
 * order and does nothing if it was replied to, closed, or its due time was set again since
 * (WorkOrderService.slaFired), so a job that fires twice or late is harmless.
 */
export class SlaJobs {
  private readonly queue: Queue<SlaJob>;
  private worker: Worker<SlaJob> | undefined;

  constructor(
    private readonly o: { connection: Redis; prefix: string; log: Logger; now: () => number; fire: (job: SlaJob) => Promise<void> },
  ) {
    this.queue = new Queue<SlaJob>('workorder-sla', { connection: o.connection, prefix: o.prefix });
  }

  start(): void {
    this.worker = new Worker<SlaJob>('workorder-sla', (job) => this.o.fire(job.data), {
      connection: this.o.connection.duplicate(),
      prefix: this.o.prefix,
      concurrency: 5,
    });
    this.worker.on('failed', (job, err) => this.o.log.warn({ job: job?.data, err: err.message }, 'work order SLA job failed'));
  }

  /** A reminder and an escalation for this generation of the order's due time; the previous generation's are removed. */
  async schedule(orderId: string, generation: number, at: { remindAt: number; dueAt: number }): Promise<void> {
    if (generation > 1) await this.cancel(orderId, generation - 1);
    const now = this.o.now();
    for (const [kind, when] of [
      ['remind', at.remindAt],
      ['escalate', at.dueAt],
    ] as const)
      await this.queue.add(
        kind,
        { orderId, kind, generation },
        {
          jobId: jobId(orderId, generation, kind),
          delay: Math.max(0, when - now),
          attempts: 5,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      );
  }

  /** Best effort: a job left behind finds its generation outdated and does nothing. */
  async cancel(orderId: string, generation: number): Promise<void> {
    for (const kind of ['remind', 'escalate'] as const) await this.queue.remove(jobId(orderId, generation, kind)).catch(() => 0);
  }

  /** Jobs still waiting for their time (for tests and the health of the queue). */
  async delayed(): Promise<number> {
    return this.queue.getDelayedCount();
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

// BullMQ refuses ':' in a custom job id.
const jobId = (orderId: string, generation: number, kind: string) => `wo-${orderId}-${generation}-${kind}`;
