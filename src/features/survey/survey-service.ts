import { addCounts, surveyFigures, type SurveyFigures } from '../../core/survey/figures.js';
import { addDays, dayCount, dayStart, parseDay } from '../reports/days.js';
import type { SurveyBy, SurveyRow } from './survey-repo.js';

/** A parameter the schema let through but that makes no sense (not a real day, to before from): a 400 naming it. */
export class SurveyParamError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`querystring/${field}: ${message}`);
  }
}

/** Three years, as the other day-range reports (reports/params.ts MAX_DAYS). */
const MAX_DAYS = 366 * 3;

export type SurveyReportRow = SurveyFigures & { key: string; name: string | null };

export interface SurveyReport {
  from: string;
  to: string;
  tz: string;
  by: SurveyBy;
  rows: SurveyReportRow[];
  total: SurveyFigures;
}

export interface SurveyDeps {
  repo: { counts(fromMs: number, toMs: number, by: SurveyBy, only?: { agentId?: string; queue?: string }): Promise<SurveyRow[]> };
  tz: string;
}

/** Satisfaction survey figures over local days (both ends included): by agent, queue or day, and one agent's own. */
export class SurveyService {
  constructor(private readonly d: SurveyDeps) {}

  async report(q: { from: string; to?: string; by?: SurveyBy; queue?: string }): Promise<SurveyReport> {
    return this.figures(q.from, q.to, q.by ?? 'agent', q.queue === undefined ? {} : { queue: q.queue });
  }

  /** One agent's scores per day (the desktop's "my scores" and the agent's own history). */
  async agent(agentId: string, q: { from: string; to?: string }): Promise<SurveyReport & { agentId: string }> {
    return { agentId, ...(await this.figures(q.from, q.to, 'day', { agentId })) };
  }

  private async figures(
    fromIn: string,
    toIn: string | undefined,
    by: SurveyBy,
    only: { agentId?: string; queue?: string },
  ): Promise<SurveyReport> {
    const from = parseDay(fromIn);
    if (!from) throw new SurveyParamError('from', 'must be a real day YYYY-MM-DD');
    const to = toIn === undefined ? from : parseDay(toIn);
    if (!to) throw new SurveyParamError('to', 'must be a real day YYYY-MM-DD');
    if (to < from) throw new SurveyParamError('to', 'must not be before from');
    if (dayCount(from, to) > MAX_DAYS) throw new SurveyParamError('to', `from and to may be at most ${MAX_DAYS} days apart`);
    const raw = await this.d.repo.counts(dayStart(from, this.d.tz), dayStart(addDays(to, 1), this.d.tz), by, only);
    return {
      from,
      to,
      tz: this.d.tz,
      by,
      rows: raw.map((r) => ({ key: r.key, name: r.name, ...surveyFigures(r) })),
      total: surveyFigures(addCounts(raw)),
    };
  }
}
