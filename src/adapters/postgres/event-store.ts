import type pg from 'pg';
import type { DomainEvent } from '../../core/events.js';

/**
 * Writes events and their report projections in one transaction.
 * Re-writing an event already stored changes nothing (id is unique), so retries are safe.
 */
export class PgEventStore {
  constructor(private readonly pool: pg.Pool) {}

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
      for (const e of events) if (fresh.has(e.id)) await project(client, e);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

async function project(client: pg.PoolClient, e: DomainEvent): Promise<void> {
  switch (e.type) {
    case 'call.started':
      await client.query(
        'INSERT INTO calls (call_id, caller, dialed, started_at, ivr_version, callback_for) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (call_id) DO NOTHING',
        [e.callId, e.caller, e.dialed, e.at, e.ivrVersion, e.callbackFor ?? null],
      );
      return;
    case 'call.queued':
      // A call re-queued after a missed offer keeps the time it first entered.
      await client.query(
        `UPDATE calls SET queue = $2, line = $3, sub_line = $4, entered_queue_at = COALESCE(entered_queue_at, $5) WHERE call_id = $1`,
        [e.callId, e.queue, e.line, e.subLine ?? null, e.at],
      );
      return;
    case 'call.ended':
      await client.query(
        `UPDATE calls SET ended_at = $2, outcome = $3, abandoned_at = $4, hung_up_by = $5, agent_id = $6,
                duration_ms = $7, talk_ms = $8, ivr_node = $9, wait_ms = $10, short_abandon = $11,
                position_at_entry = $12, position_at_abandon = $13, ivr_path = $14, end_reason = $15
          WHERE call_id = $1`,
        [
          e.callId, e.at, e.outcome, e.abandonedAt ?? null, e.hungUpBy, e.agentId ?? null, e.durationMs, e.talkMs ?? null,
          e.ivrNode ?? null, e.waitMs ?? null, e.short ?? null, e.positionAtEntry ?? null, e.positionAtAbandon ?? null,
          e.ivrPath ?? null, e.reason ?? null,
        ],
      );
      return;
    default:
      return;
  }
}
