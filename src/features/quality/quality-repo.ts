import type pg from 'pg';
import type { FormItem } from '../../core/quality/form.js';
import type { ReviewComment } from '../../core/quality/review.js';
import type { ReviewScope } from '../../core/quality/visibility.js';

export interface QualityForm {
  version: number;
  items: FormItem[];
  createdAt: number;
  createdBy: string;
}

export interface Review {
  id: string;
  recordingId: string;
  callId: string;
  agentId: string;
  reviewer: string;
  formVersion: number;
  scores: Record<string, number>;
  total: number;
  comments: ReviewComment[];
  summary: string | null;
  createdAt: number;
}

/** What a review needs of a recording (migration 019). */
export interface RecordingFacts {
  id: string;
  callId: string;
  agentId: string | null;
  durationMs: number | null;
  deleted: boolean;
}

export interface ReviewFilter {
  agentId?: string;
  recordingId?: string;
  callId?: string;
  /** [fromMs, toMs) of created_at. */
  range?: [number, number];
  /** Strictly older than this (created_at, id), newest first. */
  before?: { at: number; id: string };
  limit: number;
}

export interface AgentMonth {
  agentId: string;
  agentName: string | null;
  reviews: number;
  sumTotal: number;
  minTotal: number;
  maxTotal: number;
}

export interface AgentItemMonth {
  agentId: string;
  key: string;
  /** The mean of score / maxScore over the agent's reviews holding the item, 0..1. */
  meanShare: number;
}

type ReviewRow = {
  id: string;
  recording_id: string;
  call_id: string;
  agent_id: string;
  reviewer: string;
  form_version: number;
  scores: Record<string, number>;
  total: string;
  comments: ReviewComment[];
  summary: string | null;
  created_at: Date;
};

const COLS = 'id, recording_id, call_id, agent_id, reviewer, form_version, scores, total, comments, summary, created_at';
const review = (r: ReviewRow): Review => ({
  id: r.id,
  recordingId: r.recording_id,
  callId: r.call_id,
  agentId: r.agent_id,
  reviewer: r.reviewer,
  formVersion: r.form_version,
  scores: r.scores,
  total: Number(r.total),
  comments: r.comments,
  summary: r.summary,
  createdAt: r.created_at.getTime(),
});
type FormRow = { version: number; items: FormItem[]; created_at: Date; created_by: string };
const form = (r: FormRow): QualityForm => ({
  version: r.version,
  items: r.items,
  createdAt: r.created_at.getTime(),
  createdBy: r.created_by,
});

/** The review form's versions and the reviews (migration 020), and what they need of recordings (019). */
export class PgQualityRepo {
  constructor(private readonly pool: pg.Pool) {}

  async currentForm(): Promise<QualityForm | undefined> {
    const r = await this.pool.query<FormRow>(
      'SELECT version, items, created_at, created_by FROM quality_forms ORDER BY version DESC LIMIT 1',
    );
    return r.rows[0] && form(r.rows[0]);
  }

  async form(version: number): Promise<QualityForm | undefined> {
    const r = await this.pool.query<FormRow>('SELECT version, items, created_at, created_by FROM quality_forms WHERE version = $1', [
      version,
    ]);
    return r.rows[0] && form(r.rows[0]);
  }

  /**
   * Stores `items` as the version after `after` (the one the change was made from). Undefined when
   * another change got there first (the version exists): the caller answers 409, not a silent overwrite.
   */
  async addForm(after: number, items: FormItem[], at: number, by: string): Promise<QualityForm | undefined> {
    const r = await this.pool.query<FormRow>(
      `INSERT INTO quality_forms (version, items, created_at, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (version) DO NOTHING RETURNING version, items, created_at, created_by`,
      [after + 1, JSON.stringify(items), new Date(at), by],
    );
    return r.rows[0] && form(r.rows[0]);
  }

  async recording(id: string): Promise<RecordingFacts | undefined> {
    const r = await this.pool.query<{ id: string; call_id: string; agent_id: string | null; duration_ms: number | null; deleted: boolean }>(
      'SELECT id, call_id, agent_id, duration_ms, deleted_at IS NOT NULL AS deleted FROM recordings WHERE id = $1',
      [id],
    );
    const row = r.rows[0];
    return row && { id: row.id, callId: row.call_id, agentId: row.agent_id, durationMs: row.duration_ms, deleted: row.deleted };
  }

  async insert(v: Review): Promise<void> {
    await this.pool.query(`INSERT INTO quality_reviews (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
      v.id,
      v.recordingId,
      v.callId,
      v.agentId,
      v.reviewer,
      v.formVersion,
      JSON.stringify(v.scores),
      v.total,
      JSON.stringify(v.comments),
      v.summary,
      new Date(v.createdAt),
    ]);
  }

  async get(id: string): Promise<Review | undefined> {
    const r = await this.pool.query<ReviewRow>(`SELECT ${COLS} FROM quality_reviews WHERE id = $1`, [id]);
    return r.rows[0] && review(r.rows[0]);
  }

  /** Newest first, within the scope (filtered here, in SQL, never after the fact). */
  async list(scope: ReviewScope, f: ReviewFilter): Promise<Review[]> {
    if (scope.kind === 'none') return [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where: string[] = [];
    if (scope.kind === 'agent') where.push(`agent_id = ${p(scope.agentId)}`);
    if (f.agentId !== undefined) where.push(`agent_id = ${p(f.agentId)}`);
    if (f.recordingId !== undefined) where.push(`recording_id = ${p(f.recordingId)}`);
    if (f.callId !== undefined) where.push(`call_id = ${p(f.callId)}`);
    if (f.range) where.push(`created_at >= ${p(new Date(f.range[0]))} AND created_at < ${p(new Date(f.range[1]))}`);
    if (f.before) where.push(`(created_at, id) < (${p(new Date(f.before.at))}, ${p(f.before.id)})`);
    const r = await this.pool.query<ReviewRow>(
      `SELECT ${COLS} FROM quality_reviews ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${p(f.limit)}`,
      params,
    );
    return r.rows.map(review);
  }

  /** Per agent over [fromMs, toMs): how many reviews and their totals. */
  async agentMonth(fromMs: number, toMs: number): Promise<AgentMonth[]> {
    const r = await this.pool.query<{ agent_id: string; name: string | null; reviews: number; sum: string; min: string; max: string }>(
      `SELECT q.agent_id, max(a.name) AS name, count(*)::int AS reviews, sum(q.total) AS sum, min(q.total) AS min, max(q.total) AS max
         FROM quality_reviews q LEFT JOIN agents a ON a.agent_id = q.agent_id
        WHERE q.created_at >= $1 AND q.created_at < $2
        GROUP BY q.agent_id ORDER BY q.agent_id`,
      [new Date(fromMs), new Date(toMs)],
    );
    return r.rows.map((x) => ({
      agentId: x.agent_id,
      agentName: x.name,
      reviews: x.reviews,
      sumTotal: Number(x.sum),
      minTotal: Number(x.min),
      maxTotal: Number(x.max),
    }));
  }

  /** Per agent and item over [fromMs, toMs): the mean share of the item's maximum, each review on its own form version. */
  async agentItemMonth(fromMs: number, toMs: number): Promise<AgentItemMonth[]> {
    const r = await this.pool.query<{ agent_id: string; key: string; share: number }>(
      `SELECT q.agent_id, i->>'key' AS key,
              avg((q.scores->>(i->>'key'))::float8 / (i->>'maxScore')::float8) AS share
         FROM quality_reviews q
         JOIN quality_forms f ON f.version = q.form_version
         CROSS JOIN LATERAL jsonb_array_elements(f.items) AS i
        WHERE q.created_at >= $1 AND q.created_at < $2 AND q.scores ? (i->>'key')
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [new Date(fromMs), new Date(toMs)],
    );
    return r.rows.map((x) => ({ agentId: x.agent_id, key: x.key, meanShare: Number(x.share) }));
  }
}
