import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import { simulate } from '../../core/simulate.js';
import { validateRoutingConfig } from '../../core/routing/config.js';
import type { IvrCatalog } from '../ivr/catalog.js';
import type { RoutingCatalog } from './catalog.js';
import type { PgRoutingRepo } from './routing-repo.js';
import type { AgentLiveStore } from '../agents/agent-live-store.js';
import type { CallerMemory } from './caller-memory.js';
import { toRoutingAgent } from './dispatcher.js';

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
  steps: Type.Array(Type.Object({
    afterS: Type.Number(),
    required: Type.Union([Skills, Type.Literal('any')]),
    eligible: Type.Array(Type.String()),
    wouldGet: Type.Union([Type.String(), Type.Null()]),
  })),
  expiry: Type.Optional(Type.Object({ afterS: Type.Number(), action: Type.String(), toQueue: Type.Optional(Type.String()) })),
  unusedDigits: Type.String(),
});

/**
 * POST /api/simulate: where a call would go and who would get it, before a change is
 * activated: the live call's own IVR interpreter and routing decisions, against today's agents.
 */
export function simulateRoutes(d: { ivr: IvrCatalog; routing: RoutingCatalog; routingRepo: PgRoutingRepo; liveAgents: AgentLiveStore; callerMemory: CallerMemory }): FastifyPluginAsync {
  return async (app) => {
    strictValidation(app);
    app.post('/api/simulate', {
      schema: {
        tags: ['simulate'], summary: 'Where a call would go and who would get it, on the active or a draft version',
        body: Body, response: { 200: Result, 404: Type.Object({ error: Type.String() }) },
      },
    }, async (req, reply) => {
      const b = req.body as { caller: string; digits: string; at?: string; ivrVersion?: number; routingVersion?: number };
      const ivrVersion = b.ivrVersion ?? (await d.ivr.activeVersion());
      const ivr = await d.ivr.definition(ivrVersion).catch(() => undefined);
      if (!ivr) return reply.code(404).send({ error: `IVR version ${ivrVersion} does not exist` });
      let rules = (await d.routing.active()).rules;
      let routingVersion = (await d.routing.active()).version;
      if (b.routingVersion !== undefined) {
        const cfg = await d.routingRepo.get(b.routingVersion);
        const v = cfg && validateRoutingConfig(cfg);
        if (!v || !v.ok) return reply.code(404).send({ error: `routing version ${b.routingVersion} does not exist` });
        rules = v.rules;
        routingVersion = b.routingVersion;
      }
      const agents = (await d.liveAgents.agents()).map(toRoutingAgent);
      const preferredAgentId = await d.callerMemory.lastAgent(b.caller);
      const at = b.at ? Date.parse(b.at) : Date.now();
      return { ivrVersion, routingVersion, at: new Date(at).toISOString(), preferredAgentId: preferredAgentId ?? null, ...simulate({ ivr, rules, agents, caller: b.caller, at, digits: b.digits, preferredAgentId }) };
    });
  };
}
