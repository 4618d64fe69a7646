import { Type, type Static } from '@sinclair/typebox';
import type { AuditRow, AuditService } from './audit-service.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';

const Query = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601, inclusive' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601, exclusive' })),
    actor: Type.Optional(Type.String({ maxLength: 64, description: 'user name, API key id, or "bootstrap"' })),
    action: Type.Optional(
      Type.String({ pattern: '^[a-z_.]{1,64}$', description: 'an action ("routing.activate") or its area ("routing")' }),
    ),
    targetKind: Type.Optional(Type.String({ pattern: '^[a-z_]{1,32}$' })),
    targetId: Type.Optional(Type.String({ maxLength: 128 })),
    beforeId: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'older than this entry (paging)' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: 'at most 1000, default 100' })),
  },
  { additionalProperties: false },
);

const Entry = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Type.String(),
  actorRole: Type.String(),
  via: Type.String(),
  action: Type.String(),
  targetKind: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Type.Optional(Type.String()),
});

/** Field by field, so a column added to the log is not published until it is added here. */
const entryView = (e: AuditRow): Static<typeof Entry> => ({
  id: e.id,
  at: e.at,
  actor: e.actor,
  actorRole: e.actorRole,
  via: e.via,
  action: e.action,
  targetKind: e.targetKind,
  targetId: e.targetId,
  before: e.before,
  after: e.after,
  ...(e.ip === undefined ? {} : { ip: e.ip }),
});

/** GET /api/audit: who changed what, when, with before and after; newest first. */
export function auditRoutes(d: { audit: AuditService }): TypedPlugin {
  return async (app) => {
    strictValidation(app);
    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'The audit log, newest first',
          querystring: Query,
          response: { 200: Type.Array(Entry), 400: Type.Object({ error: Type.String() }) },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const times: { from?: Date; to?: Date } = {};
        for (const k of ['from', 'to'] as const) {
          const v = q[k];
          if (v === undefined) continue;
          const t = new Date(v);
          if (Number.isNaN(t.getTime())) return reply.code(400).send({ error: `querystring/${k} must be an ISO 8601 time` });
          times[k] = t;
        }
        const entries = await d.audit.query({
          ...times,
          actor: q.actor,
          action: q.action,
          targetKind: q.targetKind,
          targetId: q.targetId,
          beforeId: q.beforeId,
          limit: q.limit === undefined ? undefined : Number(q.limit),
        });
        return entries.map(entryView);
      },
    );
  };
}
