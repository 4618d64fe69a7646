import type pg from 'pg';
import type { EventBody } from '../../core/events.js';

export interface PendingCallback {
  caller: string;
  callId: string;
  endedAt: string;
  outcome: 'abandoned' | 'voicemail' | 'rejected' | 'callback_requested';
  abandonedAt: string | null;
  queue: string | null;
  line: string | null;
  subLine: string | null;
  waitMs: number | null;
  attempts: number;
}

/**
 * A place a caller kept to be called back, not yet called back: what their call's last call.queued
 * recorded, with the caller, when the call first entered a queue (ms; the place is kept by it), and
 * how many times the taxpayer has been dialled for it so far (none answered).
 */
export type KeptPlace = Omit<Extract<EventBody, { type: 'call.queued' }>, 'type'> & { caller: string; enteredAt: number; attempts: number };

/**
 * Callers still to be called back: their latest unanswered call (abandoned, a voicemail, or
 * turned away by a queue rule) with no answered call since. The list clears itself: once the
 * caller reaches an agent, by calling again or by a callback, they drop off.
 */
export class PgCallbackRepo {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Places kept for a callback by calls that started at `since` or later (or the one call `callId`)
   * still owed: no attempt answered, not given up (callback.failed), and the caller has not reached
   * an agent since. As their call last queued, oldest place first.
   */
  async keptPlaces(p: { since: Date; callId?: string }): Promise<KeptPlace[]> {
    const r = await this.pool.query<{
      call_id: string;
      caller: string;
      entered_queue_at: Date;
      body: Record<string, unknown>;
      attempts: number;
    }>(
      `SELECT c.call_id, c.caller, c.entered_queue_at, q.body, a.attempts FROM calls c
       CROSS JOIN LATERAL (
         SELECT body FROM events e WHERE e.call_id = c.call_id AND e.type = 'call.queued' ORDER BY seq DESC LIMIT 1) q
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE e.type = 'callback.attempted')::int AS attempts,
                bool_or(e.type = 'callback.failed' OR e.body->>'result' = 'answered') AS settled
           FROM events e WHERE e.call_id = c.call_id AND e.type IN ('callback.attempted', 'callback.failed')) a
       WHERE c.outcome = 'callback_requested' AND c.entered_queue_at IS NOT NULL
         AND c.started_at >= $1 AND ($2::text IS NULL OR c.call_id = $2)
         AND a.settled IS NOT TRUE
         AND NOT EXISTS (SELECT 1 FROM calls x WHERE x.caller = c.caller AND x.outcome = 'answered' AND x.started_at > c.started_at)
       ORDER BY c.entered_queue_at`,
      [p.since, p.callId ?? null],
    );
    return r.rows.map((x) => ({
      callId: x.call_id,
      caller: x.caller,
      queue: String(x.body.queue),
      skills: (x.body.skills ?? {}) as Record<string, number>,
      priority: Number(x.body.priority ?? 0),
      line: String(x.body.line ?? '其它'),
      subLine: typeof x.body.subLine === 'string' ? x.body.subLine : undefined,
      preferredAgentId: typeof x.body.preferredAgentId === 'string' ? x.body.preferredAgentId : undefined,
      enteredAt: x.entered_queue_at.getTime(),
      attempts: x.attempts,
    }));
  }

  /** Times the taxpayer was dialled for the place `callId` kept, while it is still owed; else undefined. */
  async attemptsSoFar(callId: string): Promise<number | undefined> {
    return (await this.keptPlaces({ since: new Date(0), callId }))[0]?.attempts;
  }

  async pending(p: { sinceMs: number; includeShort: boolean; queue?: string }): Promise<PendingCallback[]> {
    const r = await this.pool.query(
      `SELECT DISTINCT ON (c.caller) c.caller, c.call_id, c.ended_at, c.outcome, c.abandoned_at, c.queue, c.line, c.sub_line, c.wait_ms,
              (SELECT count(*) FROM calls x WHERE x.caller = c.caller AND x.started_at >= c.started_at AND x.dialed = 'callback')::int AS attempts
         FROM calls c
        WHERE c.outcome IN ('abandoned', 'voicemail', 'rejected', 'callback_requested')
          AND c.ended_at > now() - make_interval(secs => $1::double precision / 1000)
          AND ($2::boolean OR c.short_abandon IS NOT TRUE)
          AND ($3::text IS NULL OR c.queue = $3)
          AND c.caller <> 'anonymous'
          AND NOT EXISTS (SELECT 1 FROM calls a WHERE a.caller = c.caller AND a.outcome = 'answered' AND a.started_at > c.started_at)
        ORDER BY c.caller, c.ended_at DESC`,
      [p.sinceMs, p.includeShort, p.queue ?? null],
    );
    return r.rows
      .map((x) => ({
        caller: x.caller,
        callId: x.call_id,
        endedAt: (x.ended_at as Date).toISOString(),
        outcome: x.outcome,
        abandonedAt: x.abandoned_at,
        queue: x.queue,
        line: x.line,
        subLine: x.sub_line,
        waitMs: x.wait_ms,
        attempts: x.attempts,
      }))
      .sort((a, b) => a.endedAt.localeCompare(b.endedAt));
  }
}
