import type { Principal } from '../../core/auth/access.js';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import { formProblems, totalOf, type FormItem } from '../../core/quality/form.js';
import { qualityRows, type QualityReportRow } from '../../core/quality/report.js';
import { reviewProblems, type ReviewComment } from '../../core/quality/review.js';
import { canSeeReview, listAgent, reviewRefusal, reviewScope } from '../../core/quality/visibility.js';
import { dayStart, parseMonth } from '../reports/days.js';
import type { PgQualityRepo, QualityForm, Review } from './quality-repo.js';

/** A request the service refuses: the status, and the message naming the field (`body/scores/courtesy: …`). */
export class QualityError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    message: string,
    field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'QualityError';
  }
}

export interface NewReview {
  recordingId: string;
  scores: Record<string, number>;
  comments: readonly ReviewComment[];
  summary?: string;
}

export interface ReviewQuery {
  agentId?: string;
  month?: string;
  recordingId?: string;
  callId?: string;
  limit?: number;
  cursor?: string;
}

export interface QualityDeps {
  repo: PgQualityRepo;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  /** The center's time zone (TZ_NAME, Asia/Shanghai): months are its calendar months. */
  tz: string;
}

export const LIST_DEFAULT = 50;
export const LIST_MAX = 200;

/**
 * Quality review (质检): the versioned form, reviews of recorded calls and the monthly figures. What
 * is valid and who sees what is core's (core/quality); this runs it against Postgres and
 * publishes `quality.reviewed`. The routes write the audit entries.
 */
export class QualityService {
  constructor(private readonly d: QualityDeps) {}

  async form(): Promise<QualityForm> {
    const f = await this.d.repo.currentForm();
    // Migration 020 seeds version 1: no form at all is a broken database, not a request to refuse.
    if (!f) throw new Error('quality_forms holds no form (migration 020 seeds one)');
    return f;
  }

  /** A new version of the form; reviews already made keep theirs. */
  async replaceForm(p: Principal, items: FormItem[]): Promise<{ before: QualityForm; after: QualityForm }> {
    const problem = formProblems(items)[0];
    if (problem) throw new QualityError(400, problem.message, `body/${problem.field}`);
    const before = await this.form();
    const clean = items.map((i) => ({
      key: i.key,
      label: i.label.trim(),
      ...(i.labelEn === undefined ? {} : { labelEn: i.labelEn.trim() }),
      weight: i.weight,
      maxScore: i.maxScore,
    }));
    const after = await this.d.repo.addForm(before.version, clean, this.d.ctx().now, p.id);
    if (!after) throw new QualityError(409, `the form was changed meanwhile (version ${before.version + 1} exists): load it and try again`);
    return { before, after };
  }

  async review(p: Principal, input: NewReview): Promise<Review & { items: FormItem[] }> {
    const rec = await this.d.repo.recording(input.recordingId);
    if (!rec) throw new QualityError(400, `no recording ${input.recordingId}`, 'body/recordingId');
    if (rec.deleted) throw new QualityError(409, 'the recording was deleted (retention): it can no longer be reviewed', 'body/recordingId');
    if (rec.agentId === null) throw new QualityError(409, 'the recorded call was not answered by an agent', 'body/recordingId');
    if (rec.durationMs === null) throw new QualityError(409, 'the call is still being recorded', 'body/recordingId');
    const refusal = reviewRefusal(p, { agentId: rec.agentId });
    if (refusal) throw new QualityError(403, refusal);
    const form = await this.form();
    const problem = reviewProblems(form.items, input, rec.durationMs)[0];
    if (problem) throw new QualityError(400, problem.message, `body/${problem.field}`);

    const ctx = this.d.ctx();
    const summary = input.summary?.trim();
    const v: Review = {
      id: ctx.newId(),
      recordingId: rec.id,
      callId: rec.callId,
      agentId: rec.agentId,
      reviewer: p.id,
      formVersion: form.version,
      scores: Object.fromEntries(form.items.map((i) => [i.key, input.scores[i.key]!])),
      total: totalOf(form.items, input.scores),
      comments: input.comments.map((c) => ({ atMs: c.atMs, text: c.text.trim() })).sort((a, b) => a.atMs - b.atMs),
      summary: summary ? summary : null,
      createdAt: ctx.now,
    };
    await this.d.repo.insert(v);
    this.d.publish([
      stamp(ctx, {
        type: 'quality.reviewed',
        reviewId: v.id,
        recordingId: v.recordingId,
        callId: v.callId,
        agentId: v.agentId,
        reviewer: v.reviewer,
        formVersion: v.formVersion,
        total: v.total,
      }),
    ]);
    return { ...v, items: form.items };
  }

  /** Newest first; an agent's list is its own (asking for another agent's: 403). */
  async list(p: Principal, q: ReviewQuery): Promise<{ items: Review[]; next?: string }> {
    const who = listAgent(p, q.agentId);
    if ('refused' in who) throw new QualityError(403, who.refused);
    const limit = q.limit ?? LIST_DEFAULT;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX)
      throw new QualityError(400, `must be 1 to ${LIST_MAX}`, 'querystring/limit');
    const before = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    if (before === null) throw new QualityError(400, 'is not a cursor this list gave', 'querystring/cursor');
    const items = await this.d.repo.list(reviewScope(p), {
      ...who,
      recordingId: q.recordingId,
      callId: q.callId,
      range: q.month === undefined ? undefined : this.monthRange(q.month, 'querystring/month'),
      before,
      limit: limit + 1,
    });
    if (items.length <= limit) return { items };
    const last = items[limit - 1]!;
    return { items: items.slice(0, limit), next: `${last.createdAt}_${last.id}` };
  }

  /** One review with the items of its form version; one `p` may not see is a 404, as one that does not exist. */
  async get(p: Principal, id: string): Promise<Review & { items: FormItem[] }> {
    const v = await this.d.repo.get(id);
    if (!v || !canSeeReview(p, v)) throw new QualityError(404, 'no such review');
    const form = await this.d.repo.form(v.formVersion);
    if (!form) throw new Error(`review ${id}: form version ${v.formVersion} is missing`);
    return { ...v, items: form.items };
  }

  async report(month: string): Promise<{ month: string; rows: QualityReportRow[] }> {
    const [from, to] = this.monthRange(month, 'querystring/month');
    const [totals, shares] = await Promise.all([this.d.repo.agentMonth(from, to), this.d.repo.agentItemMonth(from, to)]);
    return { month, rows: qualityRows(totals, shares) };
  }

  /** [start, end) of a calendar month in the center's time zone. */
  private monthRange(month: string, field: string): [number, number] {
    if (!parseMonth(month)) throw new QualityError(400, 'must be a month YYYY-MM', field);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    return [dayStart(`${month}-01`, this.d.tz), dayStart(`${next}-01`, this.d.tz)];
  }
}

/** The list's cursor: `<createdAt ms>_<id>` of the last row given; null when it is not one. */
function parseCursor(c: string): { at: number; id: string } | null {
  const m = /^([0-9]{1,15})_([A-Za-z0-9-]{1,64})$/.exec(c);
  return m ? { at: Number(m[1]), id: m[2]! } : null;
}
