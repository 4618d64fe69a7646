import { Type, type Static } from '@sinclair/typebox';
import { ARTICLES_MAX, NOTES_MAX, QUESTION_MAX, RESOLUTIONS } from '../../core/summaries/rules.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { SummaryError, type SummaryService } from './summary-service.js';

const Error_ = Type.Object({ error: Type.String() });
const Params = Type.Object(
  { callId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'the call id' }) },
  { additionalProperties: false },
);
const Resolution = Type.Union(
  RESOLUTIONS.map((r) => Type.Literal(r)),
  { description: 'answered 已解答 / work_order 转工单 / transferred 已转接 / callback_promised 承诺回电' },
);
const Body = Type.Object(
  {
    categoryId: Type.Integer({ minimum: 1, description: 'a knowledge-base category (the summary tree)' }),
    question: Type.String({ minLength: 1, maxLength: QUESTION_MAX, description: 'the question in one line' }),
    resolution: Resolution,
    notes: Type.Optional(Type.String({ maxLength: NOTES_MAX })),
    articleIds: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        maxItems: ARTICLES_MAX,
        description: 'articles used; those opened during the call (GET /api/kb/articles/:id?callId=) are linked too',
      }),
    ),
  },
  { additionalProperties: false },
);
const Summary = Type.Object({
  callId: Type.String(),
  agentId: Type.String({ description: 'the agent who answered the call' }),
  queue: Type.Union([Type.String(), Type.Null()]),
  categoryId: Type.Integer(),
  categoryPath: Type.Array(Type.String(), { description: "the category's names from the root, as they were when saved" }),
  question: Type.String(),
  resolution: Type.String(),
  notes: Type.String(),
  articles: Type.Array(Type.Object({ id: Type.Integer(), question: Type.String() }), { description: 'as they were when saved' }),
  version: Type.Integer(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  updatedAt: Type.String(),
  updatedBy: Type.String(),
  versions: Type.Array(Type.Object({ version: Type.Integer(), editedAt: Type.String(), editedBy: Type.String() })),
});
const View = Type.Object({
  callId: Type.String(),
  summary: Type.Union([Summary, Type.Null()]),
  edit: Type.Object({
    allowed: Type.Boolean(),
    until: Type.Union([Type.String(), Type.Null()], { description: 'the end of the edit window (null: no limit, or not allowed)' }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why not, when not allowed' }),
  }),
});

/**
 * GET/PUT /api/calls/:callId/summary: the call's summary (来电小结). Read by anyone with the
 * `summaries` permission; written by the agent who answered the call during its edit window, or by
 * a supervisor or admin any time (core/summaries/rules.ts). Each save is a new version, audited
 * and published as `call.summarized`.
 */
export function summaryRoutes(d: { summaries: SummaryService }): TypedPlugin {
  return async (app) => {
    strictValidation(app);
    const tags = ['summaries'];
    const who = (p: { id: string; role: string; agentId?: string } | undefined) => ({
      id: p?.id ?? 'unknown',
      role: p?.role ?? 'none',
      agentId: p?.agentId,
    });
    app.get(
      '/api/calls/:callId/summary',
      {
        schema: {
          tags,
          summary: "A call's summary (null until written), and whether you may write it now",
          params: Params,
          response: { 200: View, 400: Error_, 403: Error_, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply): Promise<Static<typeof View> | void> => {
        try {
          return await d.summaries.get(req.params.callId, who(req.principal));
        } catch (err) {
          if (err instanceof SummaryError) return reply.code(err.status).send({ error: err.message });
          throw err;
        }
      },
    );
    app.put(
      '/api/calls/:callId/summary',
      {
        schema: {
          tags,
          summary: "Write or correct a call's summary (a new version); the articles opened during the call are linked too",
          params: Params,
          body: Body,
          response: { 200: View, 400: Error_, 403: Error_, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply): Promise<Static<typeof View> | void> => {
        const by = who(req.principal);
        try {
          const { before, after } = await d.summaries.put(
            req.params.callId,
            { ...req.body, notes: req.body.notes ?? '', articleIds: req.body.articleIds ?? [] },
            by,
          );
          await req.audit({ action: 'call.summary', targetKind: 'call', targetId: req.params.callId, before, after });
          return await d.summaries.get(req.params.callId, by);
        } catch (err) {
          if (err instanceof SummaryError) return reply.code(err.status).send({ error: err.message });
          throw err;
        }
      },
    );
  };
}
