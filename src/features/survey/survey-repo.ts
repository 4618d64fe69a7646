import type pg from 'pg';
import type { SurveyCounts } from '../../core/survey/figures.js';

export type SurveyBy = 'agent' | 'queue' | 'day';

export interface SurveyRow extends SurveyCounts {
  /** The agent id, the queue, or the local day YYYY-MM-DD. */
  key: string;
  /** The agent's name, for rows by agent. */
  name: string | null;
}

/** Reads survey_answers (migration 016): grouped counts over [fromMs, toMs), by the index on `at` (or agent_id, at). */
export class PgSurveyRepo {
  constructor(
    private readonly pool: pg.Pool,
    private readonly tz: string,
  ) {}

  async counts(fromMs: number, toMs: number, by: SurveyBy, only: { agentId?: string; queue?: string } = {}): Promise<SurveyRow[]> {
    const params: unknown[] = [new Date(fromMs), new Date(toMs)];
    const param = (v: unknown) => `$${params.push(v)}`;
    const key = by === 'agent' ? 's.agent_id' : by === 'queue' ? 's.queue' : `to_char(s.at AT TIME ZONE ${param(this.tz)}, 'YYYY-MM-DD')`;
    const onAgent =
      (only.agentId === undefined ? '' : ` AND s.agent_id = ${param(only.agentId)}`) +
      (only.queue === undefined ? '' : ` AND s.queue = ${param(only.queue)}`);
    const r = await this.pool.query<SurveyRow>(
      `SELECT ${key} AS key, ${by === 'agent' ? 'max(a.name)' : 'NULL'} AS name,
              count(*)::int AS offered, count(s.score)::int AS answered,
              count(*) FILTER (WHERE s.score = 1)::int AS satisfied,
              count(*) FILTER (WHERE s.score = 2)::int AS fair,
              count(*) FILTER (WHERE s.score = 3)::int AS dissatisfied
         FROM survey_answers s ${by === 'agent' ? 'LEFT JOIN agents a ON a.agent_id = s.agent_id' : ''}
        WHERE s.at >= $1 AND s.at < $2${onAgent}
        GROUP BY 1 ORDER BY 1`,
      params,
    );
    return r.rows;
  }
}
