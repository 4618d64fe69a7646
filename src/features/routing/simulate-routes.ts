import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import { CONFIG_BODY_LIMIT } from '../versioned-config/routes.js';
import type { RoutingSimulator } from './simulator.js';

const Body = Type.Object(
  {
    caller: Type.String({ pattern: '^[+0-9]{3,20}$' }),
    digits: Type.String({ pattern: '^[0-9*#]{0,30}$' }),
    /** When the call would arrive (ISO time); now by default. Office hours are judged at this time. */
    at: Type.Optional(Type.String({ format: 'date-time' })),
    /** A draft or older version; the active one by default. */
    ivrVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    routingVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    /**
     * An unsaved routing document (as POST /api/routing/versions takes it, JSON), instead of a
     * version: checked as an upload is, never stored. A refused one is a 422 listing its problems.
     */
    routing: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const Skills = Type.Record(Type.String(), Type.Number());
/** core/simulate.ts's Simulation, flattened: `kind` says which of the optional fields are there. */
const Outcome = Type.Object({
  kind: Type.Union(['queue', 'voicemail', 'transfer', 'hangup', 'unfinished'].map((k) => Type.Literal(k))),
  queue: Type.Optional(Type.String()),
  skills: Type.Optional(Skills),
  priority: Type.Optional(Type.Number()),
  line: Type.Optional(Type.String()),
  subLine: Type.Optional(Type.String()),
  number: Type.Optional(Type.String()),
});
const Problem = Type.Object({ path: Type.String(), message: Type.String() });
const Result = Type.Object({
  ivrVersion: Type.Integer(),
  routingVersion: Type.Integer({ description: '0 when an unsaved document was simulated' }),
  at: Type.String(),
  preferredAgentId: Type.Union([Type.String(), Type.Null()]),
  path: Type.Array(Type.Object({ nodeId: Type.String(), digit: Type.Optional(Type.String()) })),
  outcome: Outcome,
  steps: Type.Array(
    Type.Object({
      afterS: Type.Number(),
      required: Type.Union([Skills, Type.Literal('any')]),
      eligible: Type.Array(Type.String()),
      wouldGet: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  expiry: Type.Optional(Type.Object({ afterS: Type.Number(), action: Type.String(), toQueue: Type.Optional(Type.String()) })),
  unusedDigits: Type.String(),
});

/**
 * POST /api/simulate: where a call would go and who would get it, before a change is
 * activated: the live call's own IVR interpreter and routing decisions, against today's agents.
 */
export function simulateRoutes(d: { simulator: Pick<RoutingSimulator, 'run'> }): FastifyPluginAsync {
  return async (plugin) => {
    strictValidation(plugin);
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/simulate',
      {
        // A routing document rides along: the same bound as an upload.
        bodyLimit: CONFIG_BODY_LIMIT,
        schema: {
          tags: ['simulate'],
          summary: 'Where a call would go and who would get it, on the active or a draft version',
          body: Body,
          response: {
            200: Result,
            400: Type.Object({ error: Type.String() }),
            404: Type.Object({ error: Type.String() }),
            422: Type.Object({ error: Type.String(), errors: Type.Array(Problem) }),
          },
        },
      },
      async (req, reply) => {
        const { caller, digits, ivrVersion, routingVersion, routing } = req.body;
        if (routing !== undefined && routingVersion !== undefined)
          return reply.code(400).send({ error: 'body/routing: give either routing (a document) or routingVersion, not both' });
        const at = req.body.at ? Date.parse(req.body.at) : Date.now();
        const r = await d.simulator.run({ caller, digits, at, ivrVersion, routingVersion, routingDocument: routing });
        if (!r.ok && 'invalid' in r)
          return reply.code(422).send({
            error: `routing document rejected: ${r.invalid.length} problem(s)`,
            // Pointers into the request body, where the document sits under "routing".
            errors: r.invalid.map((p) => ({ path: `/routing${p.path}`, message: p.message })),
          });
        if (!r.ok) return reply.code(404).send({ error: `${r.missing} version ${r.version} does not exist` });
        return {
          ivrVersion: r.ivrVersion,
          routingVersion: r.routingVersion,
          at: new Date(at).toISOString(),
          preferredAgentId: r.preferredAgentId ?? null,
          ...r.simulation,
        };
      },
    );
  };
}
