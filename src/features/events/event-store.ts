import type pg from 'pg';
import type { DomainEvent } from '../../core/events.js';

/**
 * How long published events gather before they are written here (EventWriter.lingerMs). History
 * may be 50 ms behind; one transaction per turn of the event loop was the service's largest CPU
 * cost under load (bench:acd at 40 calls/s, profiled with --profile).
 */
export const HISTORY_LINGER_MS = 50;

/**
 * A table another feature keeps from events (e.g. features/survey's survey_answers), written in
 * the same transaction as the events it comes from: a row exists exactly when its event does.
 * Given the events stored for the first time only.
 */
export type Projection = (client: pg.PoolClient, stored: readonly DomainEvent[]) => Promise<void>;

/**
 * Writes events and their report projections in one transaction.
 * Re-writing an event already stored changes nothing (id is unique), so retries are safe.
 */
export class PgEventStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly projections: readonly Projection[] = [],
  ) {}

  async append(events: readonly DomainEvent[]): Promise<void> {
    if (!events.length) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO events (id, type, at, call_id, agent_id, body)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[])
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => e.at),
          events.map((e) => ('callId' in e ? e.callId : null)),
          events.map((e) => ('agentId' in e ? (e.agentId ?? null) : null)),
          events.map((e) => JSON.stringify(e)),
        ],
      );
      const fresh = new Set(inserted.rows.map((r) => r.id));
      const stored = events.filter((e) => fresh.has(e.id));
      await project(client, stored);
      for (const p of this.projections) await p(client, stored);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/**
 * The calls table, one statement per kind of event for the whole batch: a call's start comes
 * before its queueing and its end, so the three statements run in that order.
 */
async function project(client: pg.PoolClient, events: readonly DomainEvent[]): Promise<void> {
  const of = <T extends DomainEvent['type']>(t: T) => events.filter((e): e is Of<T> => e.type === t);
  const started = of('call.started');
  if (started.length) {
    await client.query(
      `INSERT INTO calls (call_id, caller, dialed, started_at, ivr_version, callback_for)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[])
       ON CONFLICT (call_id) DO NOTHING`,
      [
        started.map((e) => e.callId),
        started.map((e) => e.caller),
        started.map((e) => e.dialed),
        started.map((e) => e.at),
        started.map((e) => e.ivrVersion),
        started.map((e) => e.callbackFor ?? null),
      ],
    );
  }
  // One row per call: the first queueing sets the time it asked for a person.
  const queued = [
    ...new Map(
      of('call.queued')
        .reverse()
        .map((e) => [e.callId, e]),
    ).values(),
  ];
  if (queued.length) {
    await client.query(
      `UPDATE calls c SET queue = u.queue, line = u.line, sub_line = u.sub_line, entered_queue_at = COALESCE(c.entered_queue_at, u.at)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(call_id, queue, line, sub_line, at)
        WHERE c.call_id = u.call_id`,
      [
        queued.map((e) => e.callId),
        queued.map((e) => e.queue),
        queued.map((e) => e.line),
        queued.map((e) => e.subLine ?? null),
        queued.map((e) => e.at),
      ],
    );
  }
  const ended = of('call.ended');
  if (ended.length) {
    const col = <K extends keyof Of<'call.ended'>>(k: K) => ended.map((e) => e[k] ?? null);
    await client.query(
      `UPDATE calls c SET ended_at = u.at, outcome = u.outcome, abandoned_at = u.abandoned_at, hung_up_by = u.hung_up_by,
              agent_id = u.agent_id, duration_ms = u.duration_ms, talk_ms = u.talk_ms, ivr_node = u.ivr_node, wait_ms = u.wait_ms,
              short_abandon = u.short, position_at_entry = u.pos_entry, position_at_abandon = u.pos_abandon,
              ivr_path = CASE WHEN u.ivr_path IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(u.ivr_path)) END,
              end_reason = u.reason
         FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[],
                     $10::int[], $11::boolean[], $12::int[], $13::int[], $14::jsonb[], $15::text[])
              AS u(call_id, at, outcome, abandoned_at, hung_up_by, agent_id, duration_ms, talk_ms, ivr_node, wait_ms, short, pos_entry, pos_abandon, ivr_path, reason)
        WHERE c.call_id = u.call_id`,
      [
        col('callId'),
        col('at'),
        col('outcome'),
        col('abandonedAt'),
        col('hungUpBy'),
        col('agentId'),
        col('durationMs'),
        col('talkMs'),
        col('ivrNode'),
        col('waitMs'),
        col('short'),
        col('positionAtEntry'),
        col('positionAtAbandon'),
        ended.map((e) => (e.ivrPath ? JSON.stringify(e.ivrPath) : null)),
        col('reason'),
      ],
    );
  }
}
