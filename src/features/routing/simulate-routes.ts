import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { strictValidation } from '../../http/typebox-validator.js';
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
const Result = Type.Object({
  ivrVersion: Type.Integer(),
  routingVersion: Type.Integer(),
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
        schema: {
          tags: ['simulate'],
          summary: 'Where a call would go and who would get it, on the active or a draft version',
          body: Body,
          response: { 200: Result, 404: Type.Object({ error: Type.String() }) },
        },
      },
      async (req, reply) => {
        const { caller, digits, ivrVersion, routingVersion } = req.body;
        const at = req.body.at ? Date.parse(req.body.at) : Date.now();
        const r = await d.simulator.run({ caller, digits, at, ivrVersion, routingVersion });
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
