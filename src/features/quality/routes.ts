import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { COMMENTS_MAX, SUMMARY_MAX } from '../../core/quality/review.js';
import { ITEMS_MAX, MAX_SCORE_MAX, MAX_SCORE_MIN, WEIGHT_MAX, WEIGHT_MIN, type FormItem } from '../../core/quality/form.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { LIST_MAX, QualityError, type QualityService } from './quality-service.js';

type Review = Awaited<ReturnType<QualityService['get']>>;
type Form = Awaited<ReturnType<QualityService['form']>>;

const Error_ = Type.Object({ error: Type.String() });
const KEY = '^[a-z0-9_]{1,32}$';
const RecordingId = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'recordings.id' });
const CallId = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });
const AgentId = Type.String({ pattern: '^[0-9]{3,6}$', description: 'the agent (SIP user name)' });
const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'a calendar month YYYY-MM in Beijing time (TZ_NAME)' });
// Lengths in characters are core's (core/quality): these bounds only keep what reaches it small.
const Item = Type.Object(
  {
    key: Type.String({ pattern: KEY }),
    label: Type.String({ minLength: 1, maxLength: 80, description: 'zh-CN, at most 40 characters (礼貌用语)' }),
    labelEn: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'English, at most 40 characters' })),
    weight: Type.Integer({ minimum: WEIGHT_MIN, maximum: WEIGHT_MAX, description: 'relative weight; the weights need not add up to 100' }),
    maxScore: Type.Integer({ minimum: MAX_SCORE_MIN, maximum: MAX_SCORE_MAX, description: 'scores run 0..maxScore' }),
  },
  { additionalProperties: false },
);
const FormView = Type.Object({
  version: Type.Integer(),
  items: Type.Array(Item),
  updatedAt: Type.String({ description: 'when this version was made (ISO, UTC)' }),
  updatedBy: Type.String(),
});
const Comment = Type.Object(
  {
    atMs: Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'milliseconds into the recording' }),
    text: Type.String({ minLength: 1, maxLength: 1000, description: 'at most 500 characters' }),
  },
  { additionalProperties: false },
);
const Scores = Type.Record(Type.String({ pattern: KEY }), Type.Integer({ minimum: 0, maximum: MAX_SCORE_MAX }), {
  maxProperties: ITEMS_MAX,
  description: 'a whole-number score 0..maxScore for every item of the current form, by item key',
});
const ReviewView = Type.Object({
  id: Type.String(),
  recordingId: Type.String(),
  callId: Type.String(),
  agentId: Type.String(),
  reviewer: Type.String(),
  formVersion: Type.Integer(),
  scores: Type.Record(Type.String(), Type.Number()),
  total: Type.Number({ description: 'weighted percentage 0..100, one decimal, rounded down' }),
  comments: Type.Array(Type.Object({ atMs: Type.Integer(), text: Type.String() })),
  summary: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const ReviewDetail = Type.Composite([
  ReviewView,
  Type.Object({ items: Type.Array(Item, { description: 'the items of its form version' }) }),
]);
const Id = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) }, { additionalProperties: false });

const iso = (t: number) => new Date(t).toISOString();
// Field by field, so a new column is not published by accident.
const itemView = (i: FormItem): Static<typeof Item> => ({
  key: i.key,
  label: i.label,
  ...(i.labelEn === undefined ? {} : { labelEn: i.labelEn }),
  weight: i.weight,
  maxScore: i.maxScore,
});
const formView = (f: Form): Static<typeof FormView> => ({
  version: f.version,
  items: f.items.map(itemView),
  updatedAt: iso(f.createdAt),
  updatedBy: f.createdBy,
});
const reviewView = (v: Omit<Review, 'items'>): Static<typeof ReviewView> => ({
  id: v.id,
  recordingId: v.recordingId,
  callId: v.callId,
  agentId: v.agentId,
  reviewer: v.reviewer,
  formVersion: v.formVersion,
  scores: v.scores,
  total: v.total,
  comments: v.comments.map((c) => ({ atMs: c.atMs, text: c.text })),
  summary: v.summary,
  createdAt: iso(v.createdAt),
});
const detailView = (v: Review): Static<typeof ReviewDetail> => ({ ...reviewView(v), items: v.items.map(itemView) });

/**
 * Quality review (质检, docs/quality.md): the versioned form, reviews of recorded calls, and the
 * monthly figures per agent. Who sees which review is core's (core/quality/visibility.ts): an
 * agent only those of its own calls. The form's changes and every review are audited.
 */
export function qualityRoutes(d: { quality: QualityService }): TypedPlugin {
  const q = d.quality;
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof QualityError) return reply.code(err.status).send({ error: err.message });
    throw err;
  };
  const tags = ['quality'];

  return async (app) => {
    strictValidation(app);

    app.get(
      '/api/quality/form',
      { schema: { tags, summary: 'The current quality review form (评分表)', response: { 200: FormView } } },
      async () => formView(await q.form()),
    );

    app.put(
      '/api/quality/form',
      {
        schema: {
          tags,
          summary: 'Replace the form: a new version (reviews keep the version they were scored on)',
          body: Type.Object({ items: Type.Array(Item, { minItems: 1, maxItems: ITEMS_MAX }) }, { additionalProperties: false }),
          response: { 200: FormView, 400: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const r = await q.replaceForm(req.principal!, req.body.items);
          const after = formView(r.after);
          await req.audit({
            action: 'quality.form',
            targetKind: 'quality_form',
            targetId: String(r.after.version),
            before: formView(r.before),
            after,
          });
          return after;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.post(
      '/api/quality/reviews',
      {
        schema: {
          tags,
          summary: 'Score a recorded call against the current form, with comments pinned to moments of the recording',
          body: Type.Object(
            {
              recordingId: RecordingId,
              scores: Scores,
              comments: Type.Optional(Type.Array(Comment, { maxItems: COMMENTS_MAX })),
              summary: Type.Optional(Type.String({ maxLength: SUMMARY_MAX * 2, description: 'at most 2000 characters' })),
            },
            { additionalProperties: false },
          ),
          response: { 201: ReviewDetail, 400: Error_, 403: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const b = req.body;
          const v = await q.review(req.principal!, {
            recordingId: b.recordingId,
            scores: b.scores,
            comments: b.comments ?? [],
            summary: b.summary,
          });
          const after = detailView(v);
          await req.audit({ action: 'quality.review', targetKind: 'quality_review', targetId: v.id, before: null, after });
          return reply.code(201).send(after);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/quality/reviews',
      {
        schema: {
          tags,
          summary: 'Reviews, newest first: all of them for reviewers, an agent its own calls’ only',
          querystring: Type.Object(
            {
              agentId: Type.Optional(AgentId),
              month: Type.Optional(Month),
              recordingId: Type.Optional(RecordingId),
              callId: Type.Optional(CallId),
              limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: `1–${LIST_MAX} (50)` })),
              cursor: Type.Optional(Type.String({ maxLength: 100, description: 'the `next` of the page before' })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(ReviewView), next: Type.Optional(Type.String()) }), 400: Error_, 403: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const { limit, ...rest } = req.query;
          const r = await q.list(req.principal!, { ...rest, limit: limit === undefined ? undefined : Number(limit) });
          return { items: r.items.map(reviewView), ...(r.next === undefined ? {} : { next: r.next }) };
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/quality/reviews/:id',
      {
        schema: {
          tags,
          summary: 'One review with the items of its form version',
          params: Id,
          response: { 200: ReviewDetail, 404: Error_ },
        },
      },
      async (req, reply) => {
        try {
          return detailView(await q.get(req.principal!, req.params.id));
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/reports/quality',
      {
        schema: {
          tags: ['reports', ...tags],
          summary: 'Quality scores per agent over a month: reviews, mean/lowest/highest total, and per item the mean as % of its maximum',
          querystring: Type.Object({ month: Month }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              month: Type.String(),
              rows: Type.Array(
                Type.Object({
                  agentId: Type.String(),
                  agentName: Type.Union([Type.String(), Type.Null()]),
                  reviews: Type.Integer(),
                  avgTotal: Type.Number(),
                  minTotal: Type.Number(),
                  maxTotal: Type.Number(),
                  byItem: Type.Record(Type.String(), Type.Number(), { description: 'item key → mean score as % of the item’s maximum' }),
                }),
              ),
            }),
            400: Error_,
          },
        },
      },
      async (req, reply) => {
        try {
          return await q.report(req.query.month);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
  };
}
