import type pg from 'pg';
import type { DomainEvent } from '../../core/events.js';

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/**
 * The recordings table (migration 019) from the call's recording events, in the events' own
 * transaction (features/events/event-store.ts): a row exists exactly when its start event does,
 * and its end is filled in by call.recorded, whichever instance finished it.
 */
export async function projectRecordings(client: pg.PoolClient, events: readonly DomainEvent[]): Promise<void> {
  const started = events.filter((e): e is Of<'call.recording_started'> => e.type === 'call.recording_started');
  const ended = events.filter((e): e is Of<'call.recorded'> => e.type === 'call.recorded');
  if (started.length) {
    await client.query(
      `INSERT INTO recordings (id, call_id, kind, name, queue, agent_id, caller, started_at, retention_days, expires_at)
       SELECT id, call_id, kind, name, queue, agent_id, caller, at, days, at + make_interval(days => days)
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::int[])
         AS u(id, call_id, kind, name, queue, agent_id, caller, at, days)
       ON CONFLICT (id) DO NOTHING`,
      [
        started.map((e) => e.recordingId),
        started.map((e) => e.callId),
        started.map((e) => e.kind),
        started.map((e) => e.name),
        started.map((e) => e.queue),
        started.map((e) => e.agentId),
        started.map((e) => e.caller),
        started.map((e) => e.at),
        started.map((e) => e.retentionDays),
      ],
    );
  }
  // One statement per event: a batch holds few recordings' ends, and each is an update by key.
  for (const e of ended) {
    await client.query(
      `UPDATE recordings SET ended_at = $2, duration_ms = $3, size_bytes = $4, sha256 = $5, end_reason = $6
       WHERE id = $1 AND ended_at IS NULL`,
      [e.recordingId, e.at, e.durationMs, e.sizeBytes, e.sha256 ?? null, e.endReason],
    );
  }
}
