import { Type } from '@sinclair/typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { TopicsParamError, TOPICS_DEFAULT_LIMIT, TOPICS_MAX_DAYS, type TopicsService } from './topics-service.js';

const Error_ = Type.Object({ error: Type.String() });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local day YYYY-MM-DD (the configured TZ_NAME), inclusive' });
const Query = Type.Object(
  {
    from: Day,
    to: Type.Optional(Day),
    by: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('queue'), Type.Literal('agent')], { description: 'grouping (day)' })),
    queue: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'one queue; all when absent' })),
    agentId: Type.Optional(Type.String({ pattern: '^[0-9]{3,6}$', description: 'one agent; all when absent' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: `top entries per group (${TOPICS_DEFAULT_LIMIT})` })),
  },
  { additionalProperties: false },
);
const Category = Type.Object({
  path: Type.Array(Type.String(), { description: "the category's names from the root, as summarized" }),
  categoryId: Type.Integer(),
  count: Type.Integer({ description: 'summaries under this category' }),
});
const Article = Type.Object({ id: Type.Integer(), question: Type.String(), count: Type.Integer({ description: 'summaries linking it' }) });
const Report = Type.Object({
  from: Type.String(),
  to: Type.String(),
  tz: Type.String(),
  by: Type.String(),
  queue: Type.Union([Type.String(), Type.Null()]),
  agentId: Type.Union([Type.String(), Type.Null()]),
  limit: Type.Integer(),
  summaries: Type.Integer({ description: 'summarized calls in the range' }),
  overall: Type.Object({ categories: Type.Array(Category), articles: Type.Array(Article) }),
  groups: Type.Array(
    Type.Object({
      key: Type.String({ description: 'the day (YYYY-MM-DD), queue or agent id' }),
      summaries: Type.Integer(),
      categories: Type.Array(Category),
      articles: Type.Array(Article),
    }),
  ),
});

/** GET /api/reports/topics: the hot-topics report (热点), from the call summaries (docs/metrics.md). */
export function topicsRoutes(d: { topics: TopicsService }): TypedPlugin {
  return async (app) => {
    strictValidation(app, 'is not an allowed parameter');
    app.get(
      '/api/reports/topics',
      {
        schema: {
          tags: ['reports'],
          summary: `Hot topics (热点): the categories asked about most and the articles used most, per day, queue or agent (at most ${TOPICS_MAX_DAYS} days)`,
          querystring: Query,
          response: { 200: Report, 400: Error_ },
        },
      },
      async (req, reply) => {
        try {
          return await d.topics.report(req.query);
        } catch (err) {
          if (err instanceof TopicsParamError) return reply.code(400).send({ error: err.message });
          throw err;
        }
      },
    );
  };
}
