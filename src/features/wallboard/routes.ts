import { Type, type Static } from '@sinclair/typebox';
import { BOUNDS, type Metric } from '../../core/wallboard/thresholds.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { ThresholdsInputError, type ThresholdsService } from './thresholds-service.js';

const limits = (m: Metric, description: string) =>
  Type.Object(
    {
      amber: Type.Integer({ minimum: BOUNDS[m].min, maximum: BOUNDS[m].max }),
      red: Type.Integer({ minimum: BOUNDS[m].min, maximum: BOUNDS[m].max }),
    },
    { additionalProperties: false, description },
  );
const Thresholds = Type.Object(
  {
    waiting: limits('waiting', 'callers waiting: amber from `amber`, red from `red` (amber < red)'),
    longestWaitS: limits('longestWaitS', 'longest current wait in seconds: amber < red'),
    serviceLevelPct: limits(
      'serviceLevelPct',
      "today's service level in percent, lower is worse: amber at or below `amber`, red at or below `red` (red < amber)",
    ),
    abandonRatePct: limits('abandonRatePct', "today's abandon rate in percent: amber < red"),
  },
  { additionalProperties: false },
);
const Error_ = Type.Object({ error: Type.String() });

/**
 * GET/PUT /api/wallboard/thresholds: when a queue's tile turns amber or red, one set for the
 * whole center (every wallboard shows the same colours). Read by anyone who sees the wallboard;
 * changed by supervisors and admins, audited.
 */
export function wallboardRoutes(d: { thresholds: ThresholdsService }): TypedPlugin {
  return async (app) => {
    strictValidation(app);
    const tags = ['wallboard'];
    app.get(
      '/api/wallboard/thresholds',
      { schema: { tags, summary: "When the wallboard's queue tiles turn amber or red", response: { 200: Thresholds } } },
      async (): Promise<Static<typeof Thresholds>> => d.thresholds.get(),
    );
    app.put(
      '/api/wallboard/thresholds',
      {
        schema: {
          tags,
          summary: "Change when the wallboard's queue tiles turn amber or red (for every wallboard)",
          body: Thresholds,
          response: { 200: Thresholds, 400: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const before = await d.thresholds.put(req.body, req.principal?.id ?? 'unknown');
          await req.audit({ action: 'wallboard.thresholds', targetKind: 'wallboard', targetId: 'thresholds', before, after: req.body });
          return req.body;
        } catch (err) {
          if (err instanceof ThresholdsInputError) {
            const first = err.problems[0]!;
            return reply.code(400).send({ error: `body/${first.path}: ${first.message}` });
          }
          throw err;
        }
      },
    );
  };
}
