import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import type { AriClient } from '../../adapters/ari/client.js';
import type { WaitingDetails } from '../routing/queue-store.js';
import { missReason } from '../calls/hangup-cause.js';
import type { CallbackDecision } from '../../core/outbound/dial-policy.js';

/**
 * What a callback job carries: the waiting entry whose turn came. `attemptsBefore`: the job was
 * scheduled again after Redis lost the first one (see kept-places.ts), which had made that many.
 */
export type CallbackJob = Omit<WaitingDetails, 'positionAtEntry'> & { attemptsBefore?: number };

/** A ring note once its leg was answered: the job is done, whoever runs it again. */
const ANSWERED = 'answered';
const ANSWERED_KEPT_MS = 6 * 3_600_000;

interface Pending {
  job: CallbackJob;
  settle: (result: 'answered' | string) => void;
}

export interface CallbackOptions {
  /** Connection for BullMQ (its own: BullMQ needs blocking commands and no retry limit). */
  connection: Redis;
  prefix: string;
  ari: AriClient;
  trunk: string;
  attempts: number;
  retryDelayMs: number;
  ringTimeoutS: number;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  /**
   * From history: the attempts made for a kept place, or undefined once it is no longer owed.
   * Read before each attempt of a job scheduled again, whose first job may have had an attempt
   * in flight when Redis was lost.
   */
  attemptsSoFar: (callId: string) => Promise<number | undefined>;
  /**
   * Where a ring in progress is noted, so an attempt run again by another instance (the ringing
   * one died with the job active: BullMQ hands a stalled job on) does not ring the taxpayer a second
   * time, and the instance that takes the dead one's calls over can take the answered leg.
   */
  rings?: { redis: Redis; ring: (channelId: string) => string; ringing: (jobId: string) => string };
  /**
   * Whether this number may be dialled now, one call taken off its count for today if so
   * (features/outbound/dial-guard.ts takeCallback): the dial string is built from its digits only.
   */
  takeDial: (caller: string) => Promise<CallbackDecision>;
}

/**
 * Calls back taxpayers who pressed 1 while waiting, when their turn comes. A BullMQ job per
 * callback dials the taxpayer through the trunk; an answered leg joins the queue at the place
 * the taxpayer kept (see CallService.startCallback). Unanswered attempts are retried after a
 * delay; each attempt is an event, and the last failure is a "callback failed" event.
 */
export class CallbackService {
  private readonly queue: Queue<CallbackJob>;
  private worker: Worker<CallbackJob> | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly o: CallbackOptions) {
    this.queue = new Queue<CallbackJob>('callbacks', { connection: o.connection, prefix: o.prefix });
  }

  start(): void {
    this.worker = new Worker<CallbackJob>('callbacks', (job) => this.attempt(job), {
      connection: this.o.connection.duplicate(),
      prefix: this.o.prefix,
      concurrency: 20,
    });
    this.worker.on('failed', (job, err) => {
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      const d = job.data;
      const attempts = (d.attemptsBefore ?? 0) + job.attemptsMade;
      this.o.log.warn({ callId: d.callId, caller: d.caller, attempts, err: err.message }, 'callback failed after every attempt');
      this.o.publish([stamp(this.o.ctx(), { type: 'callback.failed', callId: d.callId, caller: d.caller, queue: d.queue, attempts })]);
    });
  }

  /**
   * The callback's turn came: dial it (one job per request, so a repeat is harmless). `jobId`: a
   * callback asked for by something else than the kept place (a work order's reply to the caller,
   * features/workorders), which must not be taken for the call's own kept place.
   */
  async dial(entry: CallbackJob, o: { jobId?: string } = {}): Promise<void> {
    await this.queue.add('dial', entry, {
      jobId: o.jobId ?? entry.callId,
      attempts: this.o.attempts,
      backoff: { type: 'fixed', delay: this.o.retryDelayMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    });
  }

  /**
   * The attempts left after `attemptsBefore` (their job was lost with Redis), the next after the
   * usual retry delay, or once this instance's ring to the taxpayer is over if it is dialling them
   * now (that attempt is not in history yet); false if there are none left.
   */
  async redial(entry: CallbackJob, attemptsBefore: number): Promise<boolean> {
    const left = this.o.attempts - attemptsBefore;
    if (left <= 0) return false;
    const delay = this.dialling(entry.callId) ? Math.max(this.o.retryDelayMs, (this.o.ringTimeoutS + 5) * 1000) : this.o.retryDelayMs;
    await this.queue.add(
      'dial',
      { ...entry, attemptsBefore },
      {
        jobId: entry.callId,
        attempts: left,
        delay,
        backoff: { type: 'fixed', delay: this.o.retryDelayMs },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
    return true;
  }

  /** Whether this instance is ringing the taxpayer for the place `callId` kept. */
  dialling(callId: string): boolean {
    for (const p of this.pending.values()) if (p.job.callId === callId) return true;
    return false;
  }

  /** Our outbound leg to the taxpayer entered the app: they answered. */
  answered(channelId: string): CallbackJob | undefined {
    const p = this.pending.get(channelId);
    if (!p) return undefined;
    this.pending.delete(channelId);
    p.settle('answered');
    return p.job;
  }

  /** Our outbound leg ended before it was answered. */
  failed(channelId: string, cause: number): boolean {
    const p = this.pending.get(channelId);
    if (!p) return false;
    this.pending.delete(channelId);
    p.settle(missReason(cause));
    return true;
  }

  /**
   * A callback leg another instance dialled (it died ringing, features/cluster/takeover.ts moved
   * the leg here) was answered: its job, now marked answered so no later run of it rings again.
   */
  async answeredElsewhere(channelId: string): Promise<CallbackJob | undefined> {
    const r = this.o.rings;
    if (!r) return undefined;
    const raw = await r.redis.get(r.ring(channelId));
    if (!raw) return undefined;
    const { jobId, job, attempt } = JSON.parse(raw) as { jobId: string; job: CallbackJob; attempt: number };
    await r.redis.multi().set(r.ringing(jobId), ANSWERED, 'PX', ANSWERED_KEPT_MS).del(r.ring(channelId)).exec();
    // The instance that dialled died before it could say so.
    this.o.publish([
      stamp(this.o.ctx(), {
        type: 'callback.attempted',
        callId: job.callId,
        caller: job.caller,
        queue: job.queue,
        attempt,
        result: 'answered',
      }),
    ]);
    return job;
  }

  /**
   * Before ringing: another run of this job may be ringing now (or its leg was answered). Waits
   * for that ring to end (its note expires with the ring's longest time); 'answered' when it was.
   */
  private async otherRing(jobId: string): Promise<'answered' | 'none'> {
    const r = this.o.rings;
    if (!r) return 'none';
    const until = Date.now() + this.ringNoteMs();
    for (;;) {
      const v = await r.redis.get(r.ringing(jobId));
      if (v === ANSWERED) return 'answered';
      if (!v || Date.now() > until) return 'none';
      await new Promise((res) => setTimeout(res, 1000));
    }
  }

  private ringNoteMs(): number {
    return (this.o.ringTimeoutS + 15) * 1000;
  }

  private async attempt(job: Job<CallbackJob>): Promise<void> {
    const d = job.data;
    const jobId = job.id ?? d.callId;
    if ((await this.otherRing(jobId)) === 'answered') {
      this.o.log.info({ callId: d.callId, caller: d.caller }, 'callback already answered on another instance: not dialled again');
      return;
    }
    let attempt = job.attemptsMade + 1;
    if (d.attemptsBefore !== undefined) {
      const made = await this.o.attemptsSoFar(d.callId);
      if (made === undefined || made >= this.o.attempts) {
        this.o.log.info({ callId: d.callId, caller: d.caller, made }, 'callback scheduled again no longer owed: not dialled');
        return;
      }
      attempt = made + 1;
    }
    // Refused when the call arrived already (the caller was told and kept waiting), so a kept
    // place here is one from before the policy, or one that used up today's count: never dialled,
    // and not retried (the job ends without an error).
    const allowed = await this.o.takeDial(d.caller);
    if (!allowed.ok) {
      this.o.log.warn(
        { callId: d.callId, caller: d.caller, reason: allowed.reason, detail: allowed.detail },
        'callback refused by the dial policy: not dialled',
      );
      this.o.publish([
        stamp(this.o.ctx(), { type: 'callback.refused', callId: d.callId, caller: d.caller, queue: d.queue, reason: allowed.reason }),
      ]);
      return;
    }
    const channelId = this.o.ctx().newId();
    const r = this.o.rings;
    if (r) {
      await r.redis
        .multi()
        .set(r.ringing(jobId), channelId, 'PX', this.ringNoteMs())
        .set(r.ring(channelId), JSON.stringify({ jobId, job: d, attempt }), 'PX', this.ringNoteMs())
        .exec();
    }
    const result = await new Promise<string>((resolve) => {
      this.pending.set(channelId, { job: d, settle: resolve });
      this.o.ari
        .originate({
          channelId,
          endpoint: `PJSIP/${allowed.digits}@${this.o.trunk}`,
          appArgs: `callback,${channelId}`,
          callerId: '12366',
          timeoutS: this.o.ringTimeoutS,
          variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': d.callId },
        })
        .catch((err: Error) => {
          this.pending.delete(channelId);
          resolve(`originate_failed: ${err.message}`);
        });
    });
    this.o.publish([
      stamp(this.o.ctx(), { type: 'callback.attempted', callId: d.callId, caller: d.caller, queue: d.queue, attempt, result }),
    ]);
    if (r) {
      const m = r.redis.multi().del(r.ring(channelId));
      if (result === 'answered') m.set(r.ringing(jobId), ANSWERED, 'PX', ANSWERED_KEPT_MS);
      else m.del(r.ringing(jobId));
      await m.exec().catch((err: Error) => this.o.log.warn({ err: err.message }, 'callback ring note not cleared'));
    }
    if (result !== 'answered') throw new Error(result);
  }

  async stop(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
