import { Type, type Static } from '@sinclair/typebox';
import type { CallbackQueries, PendingCallback } from './callback-queries.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';

const Pending = Type.Object({
  caller: Type.String(),
  callId: Type.String(),
  endedAt: Type.String(),
  outcome: Type.String(),
  abandonedAt: Type.Union([Type.String(), Type.Null()]),
  queue: Type.Union([Type.String(), Type.Null()]),
  line: Type.Union([Type.String(), Type.Null()]),
  subLine: Type.Union([Type.String(), Type.Null()]),
  waitMs: Type.Union([Type.Integer(), Type.Null()]),
  attempts: Type.Integer(),
});

/** Field by field, so what history adds to a pending callback is not published until it is added here. */
const pendingView = (p: PendingCallback): Static<typeof Pending> => ({
  caller: p.caller,
  callId: p.callId,
  endedAt: p.endedAt,
  outcome: p.outcome,
  abandonedAt: p.abandonedAt,
  queue: p.queue,
  line: p.line,
  subLine: p.subLine,
  waitMs: p.waitMs,
  attempts: p.attempts,
});

/** GET /api/callbacks: abandoned callers still to be called back, oldest first. */
export function callbackRoutes(d: { callbacks: CallbackQueries }): TypedPlugin {
  return async (app) => {
    app.get(
      '/api/callbacks',
      {
        schema: {
          tags: ['callbacks'],
          summary: 'Abandoned callers still to be called back, oldest first',
          // Fastify's own validator here, as before: it turns ?days=3 into a number and fills in the defaults.
          querystring: Type.Object({
            days: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'how far back to look' }),
            includeShort: Type.Boolean({ default: false, description: 'include short abandons (hung up within SHORT_ABANDON_S)' }),
            queue: Type.Optional(Type.String({ minLength: 1, description: 'one queue; all queues when absent' })),
          }),
          response: { 200: Type.Array(Pending) },
        },
      },
      async (req) => {
        const { days, includeShort, queue } = req.query;
        return (await d.callbacks.pending({ days, includeShort, queue })).map(pendingView);
      },
    );
  };
}
