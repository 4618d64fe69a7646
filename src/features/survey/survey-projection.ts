import type pg from 'pg';
import type { DomainEvent } from '../../core/events.js';

type Of<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/**
 * The survey_answers table (migration 016), from the survey events of a batch being stored:
 * called by PgEventStore inside its transaction with the events stored for the first time, so a
 * row exists exactly when its event does. One row per call; a repeat changes nothing.
 */
export async function projectSurvey(client: pg.PoolClient, events: readonly DomainEvent[]): Promise<void> {
  const rows = events.filter(
    (e): e is Of<'call.survey_answered'> | Of<'call.survey_unanswered'> =>
      e.type === 'call.survey_answered' || e.type === 'call.survey_unanswered',
  );
  if (!rows.length) return;
  await client.query(
    `INSERT INTO survey_answers (call_id, at, agent_id, queue, score, reason, asked)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::smallint[])
     ON CONFLICT (call_id) DO NOTHING`,
    [
      rows.map((e) => e.callId),
      rows.map((e) => e.at),
      rows.map((e) => e.agentId),
      rows.map((e) => e.queue),
      rows.map((e) => (e.type === 'call.survey_answered' ? e.score : null)),
      rows.map((e) => (e.type === 'call.survey_unanswered' ? e.reason : null)),
      rows.map((e) => e.asked),
    ],
  );
}
