import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { PgCallbackRepo } from './callback-repo.js';

const Pending = Type.Object({
  caller: Type.String(), callId: Type.String(), endedAt: Type.String(),
  outcome: Type.String(), abandonedAt: Type.Union([Type.String(), Type.Null()]),
  queue: Type.Union([Type.String(), Type.Null()]), line: Type.Union([Type.String(), Type.Null()]),
  subLine: Type.Union([Type.String(), Type.Null()]), waitMs: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
});

/** GET /api/callbacks: abandoned callers still to be called back, oldest first. */
export function callbackRoutes(d: { repo: PgCallbackRepo }): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/callbacks', {
      schema: {
        tags: ['callbacks'], summary: 'Abandoned callers still to be called back, oldest first',
        querystring: Type.Object({
          days: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'how far back to look' }),
          includeShort: Type.Boolean({ default: false, description: 'include short abandons (hung up within SHORT_ABANDON_S)' }),
          queue: Type.Optional(Type.String({ minLength: 1, description: 'one queue; all queues when absent' })),
        }),
        response: { 200: Type.Array(Pending) },
      },
    }, async (req) => {
      const q = req.query as { days: number; includeShort: boolean; queue?: string };
      return d.repo.pending({ sinceMs: q.days * 86_400_000, includeShort: q.includeShort, queue: q.queue });
    });
  };
}
