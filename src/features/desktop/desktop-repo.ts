import type pg from 'pg';
import type { PopFacts, PopHistoryEntry } from '../../core/desktop/screen-pop.js';
import { parseIvrPath, POP_HISTORY_LIMIT } from '../../core/desktop/screen-pop.js';
import { summaryLine } from '../../core/summaries/rules.js';

/** What the desktop reads from history (Postgres): a caller's earlier calls, an ended call, an agent's calls today. */
export interface DesktopRepo {
  /** The caller's calls, newest first (one more than shown, so the current call can be left out). */
  history(caller: string): Promise<PopHistoryEntry[]>;
  /** A call's stored row, once the outbox wrote it (for the pop during wrap-up, when the live session is gone). */
  call(callId: string): Promise<PopFacts | undefined>;
  /** Calls the agent answered since the start of today, Beijing time. */
  answeredToday(agentId: string): Promise<number>;
}

export class PgDesktopRepo implements DesktopRepo {
  constructor(private readonly pool: pg.Pool) {}

  async history(caller: string): Promise<PopHistoryEntry[]> {
    // calls_caller_idx (caller, started_at DESC) serves this.
    const r = await this.pool.query<{
      call_id: string;
      started_at: Date;
      agent_id: string | null;
      name: string | null;
      outcome: string | null;
      line: string | null;
      sub_line: string | null;
      category_path: string[] | null;
      question: string | null;
    }>(
      // Each call's summary (features/summaries, migrations/014) by its primary key.
      `SELECT c.call_id, c.started_at, c.agent_id, a.name, c.outcome, c.line, c.sub_line, s.category_path, s.question
         FROM calls c LEFT JOIN agents a ON a.agent_id = c.agent_id LEFT JOIN call_summaries s ON s.call_id = c.call_id
        WHERE c.caller = $1
        ORDER BY c.started_at DESC
        LIMIT $2`,
      [caller, POP_HISTORY_LIMIT + 1],
    );
    return r.rows.map((row) => ({
      callId: row.call_id,
      at: row.started_at.getTime(),
      agentId: row.agent_id,
      agentName: row.name,
      outcome: row.outcome,
      line: row.line,
      subLine: row.sub_line,
      summary: row.category_path && row.question !== null ? summaryLine(row.category_path, row.question) : null,
    }));
  }

  async call(callId: string): Promise<PopFacts | undefined> {
    const r = await this.pool.query<{
      caller: string;
      ivr_path: string[] | null;
      queue: string | null;
      line: string | null;
      sub_line: string | null;
      entered_queue_at: Date | null;
      started_at: Date;
      duration_ms: number | null;
      talk_ms: number | null;
    }>(`SELECT caller, ivr_path, queue, line, sub_line, entered_queue_at, started_at, duration_ms, talk_ms FROM calls WHERE call_id = $1`, [
      callId,
    ]);
    const row = r.rows[0];
    if (!row) return undefined;
    // The row keeps durations, not the answer time: the answer came talk_ms before the end.
    const endedAt = row.duration_ms === null ? null : row.started_at.getTime() + row.duration_ms;
    return {
      callId,
      caller: row.caller,
      path: parseIvrPath(row.ivr_path),
      queue: row.queue,
      line: row.line,
      subLine: row.sub_line,
      queuedAt: row.entered_queue_at?.getTime() ?? null,
      answeredAt: endedAt !== null && row.talk_ms !== null ? endedAt - row.talk_ms : null,
    };
  }

  async answeredToday(agentId: string): Promise<number> {
    const r = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM calls
        WHERE agent_id = $1 AND outcome = 'answered'
          AND started_at >= (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')`,
      [agentId],
    );
    return r.rows[0]?.n ?? 0;
  }
}
