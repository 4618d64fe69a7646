import { overall, rankTopics, type TopicGroup } from '../../core/summaries/topics.js';
import { addDays, dayCount, dayStart, daysBetween, parseDay } from '../reports/days.js';
import type { PgSummaryRepo } from './summary-repo.js';

/** A report parameter the schema let through but that is still wrong (a date that does not exist, a range too wide). */
export class TopicsParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`querystring/${param}: ${message}`);
  }
}

/** A year of days at most: the counts are grouped in Postgres, the groups ranked here. */
export const TOPICS_MAX_DAYS = 366;
export const TOPICS_DEFAULT_LIMIT = 10;

export interface TopicsRequest {
  from: string;
  to?: string;
  by?: 'day' | 'queue' | 'agent';
  queue?: string;
  agentId?: string;
  limit?: number;
}

export interface TopicsReport {
  from: string;
  to: string;
  tz: string;
  by: 'day' | 'queue' | 'agent';
  queue: string | null;
  agentId: string | null;
  limit: number;
  summaries: number;
  overall: Omit<TopicGroup, 'key' | 'summaries'>;
  groups: TopicGroup[];
}

/** The hot-topics report (热点): the categories asked about most and the articles used most, per day, queue or agent. */
export class TopicsService {
  constructor(
    private readonly repo: Pick<PgSummaryRepo, 'topics'>,
    readonly tz: string,
  ) {}

  async report(r: TopicsRequest): Promise<TopicsReport> {
    const from = parseDay(r.from);
    if (!from) throw new TopicsParamError('from', `${r.from} is not a calendar day`);
    const to = r.to === undefined ? from : parseDay(r.to);
    if (!to) throw new TopicsParamError('to', `${r.to} is not a calendar day`);
    if (to < from) throw new TopicsParamError('to', 'must not be before from');
    if (dayCount(from, to) > TOPICS_MAX_DAYS) throw new TopicsParamError('to', `from and to may be at most ${TOPICS_MAX_DAYS} days apart`);
    const by = r.by ?? 'day';
    const limit = r.limit ?? TOPICS_DEFAULT_LIMIT;
    const counts = await this.repo.topics({
      fromMs: dayStart(from, this.tz),
      toMs: dayStart(addDays(to, 1), this.tz),
      tz: this.tz,
      by,
      queue: r.queue,
      agentId: r.agentId,
    });
    // Days in order, every day of the range (a quiet day shows as empty); queues and agents busiest first.
    const keys =
      by === 'day' ? daysBetween(from, to) : [...counts.totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    return {
      from,
      to,
      tz: this.tz,
      by,
      queue: r.queue ?? null,
      agentId: r.agentId ?? null,
      limit,
      summaries: [...counts.totals.values()].reduce((a, b) => a + b, 0),
      overall: overall(counts.categories, counts.articles, limit),
      groups: rankTopics(keys, counts.totals, counts.categories, counts.articles, limit),
    };
  }
}
