import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { AgentRecord } from '../../adapters/postgres/agent-repo.js';
import type { AgentLive } from '../../adapters/redis/live-state.js';
import { AgentInputError, describeRefusal, type AgentService, type StateChange } from '../../services/agents/agent-service.js';

const AgentId = Type.String({ pattern: '^[0-9]{3,6}$', description: 'the SIP user name, 3 to 6 digits' });
const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' });
const State = Type.Union(['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'].map((s) => Type.Literal(s)));
const Skills = Type.Record(Code, Type.Integer({ minimum: 1, maximum: 5 }), { additionalProperties: false, description: 'skill -> proficiency 1..5' });
const Queues = Type.Array(Code, { uniqueItems: true, maxItems: 100 });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Params = Type.Object({ id: AgentId }, { additionalProperties: false });
const AgentBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    /** Required to create; left out on an update, the phone keeps its password. */
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
    skills: Skills,
    queues: Queues,
  },
  { additionalProperties: false },
);
const AgentView = Type.Object({
  agentId: Type.String(),
  name: Type.String(),
  skills: Type.Record(Type.String(), Type.Integer()),
  queues: Type.Array(Type.String()),
  state: State,
  registered: Type.Boolean(),
  pauseReason: Nullable(Type.String()),
  /** When the agent entered its state (ISO), null if it never changed state. */
  since: Nullable(Type.String()),
  callId: Nullable(Type.String()),
});
const Changed = Type.Object({ agentId: Type.String(), from: State, state: State, pauseReason: Nullable(Type.String()) });
const Error_ = Type.Object({ error: Type.String() });
const Refused = Type.Object({ error: Type.String(), state: Type.Optional(State) });
const PauseReasonView = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String(), builtin: Type.Boolean(), createdAt: Type.String() });
const PauseReasonBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z_]+$', minLength: 1, maxLength: 40 }),
    zh: Type.String({ minLength: 1, maxLength: 40 }),
    en: Type.String({ minLength: 1, maxLength: 80 }),
  },
  { additionalProperties: false },
);
const TimelineQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'ISO 8601, inclusive' })),
    to: Type.Optional(Type.String({ description: 'ISO 8601, exclusive' })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
  },
  { additionalProperties: false },
);
const TimelineEntry = Type.Object({
  id: Type.String(),
  at: Type.String(),
  from: Type.String(),
  to: Type.String(),
  reason: Nullable(Type.String()),
  via: Nullable(Type.String()),
  pauseReason: Nullable(Type.String()),
  callId: Nullable(Type.String()),
});

/**
 * Ops API for agents: create/update/delete (the phone follows in Asterisk at once), read with
 * live state, state changes (login, logout, pause with a reason, unpause, end wrap-up), pause
 * reasons, and an agent's state-change timeline.
 */
export function agentRoutes(d: { agents: AgentService }): FastifyPluginAsync {
  const { agents } = d;
  return async (app) => {
    // Validated with TypeBox rather than Fastify's Ajv, which silently drops unknown fields:
    // here an unknown field is an error that names it. Scoped to this plugin.
    app.setValidatorCompiler(({ schema }) => {
      const check = TypeCompiler.Compile(schema as TSchema);
      return (data: unknown) => {
        if (check.Check(data)) return { value: data };
        const e = check.Errors(data).First();
        const where = e?.path ?? '';
        const message = !e ? 'is not valid'
          : e.message === 'Unexpected property' ? 'is not an allowed field'
          : e.message === 'Expected required property' ? 'is required'
          : e.message.replace(/^Expected/, 'expected');
        return { error: [{ instancePath: where, message, keyword: 'typebox', params: {}, schemaPath: '' }] };
      };
    });

    const view = (a: AgentRecord, live: AgentLive | undefined) => ({
      agentId: a.agentId,
      name: a.name,
      skills: a.skills,
      queues: a.queues,
      state: live?.state ?? 'logged_out',
      registered: live?.registered ?? false,
      pauseReason: live?.state === 'paused' ? (live.pauseReason ?? null) : null,
      since: live?.since ? new Date(live.since).toISOString() : null,
      callId: live?.callId ?? null,
    });

    const answer = (reply: FastifyReply, r: StateChange, action: string) => {
      if (r.applied) return { agentId: r.agentId, from: r.from, state: r.state, pauseReason: r.pauseReason ?? null };
      const error = describeRefusal(r, action);
      if (r.problem === 'unknown_agent') return reply.code(404).send({ error });
      if (r.problem === 'unknown_pause_reason') return reply.code(422).send({ error: `body/reason: ${error}` });
      return reply.code(409).send({ error, state: r.state });
    };

    app.get('/api/agents', { schema: { response: { 200: Type.Array(AgentView) } } }, async () =>
      (await agents.list()).map(({ agent, live }) => view(agent, live)),
    );

    app.get('/api/agents/:id', { schema: { params: Params, response: { 200: AgentView, 404: Error_ } } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const a = await agents.get(id);
      if (!a) return reply.code(404).send({ error: `agent ${id} does not exist` });
      return view(a, await agents.live(id));
    });

    app.put('/api/agents/:id', {
      schema: { params: Params, body: AgentBody, response: { 200: AgentView, 201: AgentView, 400: Error_ } },
    }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const b = req.body as { name: string; password?: string; skills: Record<string, number>; queues: string[] };
      try {
        const r = await agents.save({ agentId: id, name: b.name, password: b.password, skills: b.skills, queues: b.queues });
        return reply.code(r.created ? 201 : 200).send(view(r.agent, await agents.live(id)));
      } catch (err) {
        if (err instanceof AgentInputError) return reply.code(400).send({ error: `body/${err.field}: ${err.message}` });
        throw err;
      }
    });

    app.delete('/api/agents/:id', {
      schema: { params: Params, response: { 200: Type.Object({ agentId: Type.String(), deleted: Type.Boolean() }), 404: Error_, 409: Refused } },
    }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const r = await agents.remove(id, 'api');
      if (r.applied) return { agentId: id, deleted: true };
      return answer(reply, r, 'be deleted');
    });

    const stateRoute = (path: string, action: string, run: (id: string) => Promise<StateChange>) =>
      app.post(`/api/agents/:id/${path}`, {
        schema: { params: Params, response: { 200: Changed, 404: Error_, 409: Refused } },
      }, async (req, reply) => answer(reply, await run((req.params as { id: string }).id), action));

    stateRoute('login', 'log in', (id) => agents.login(id, 'api'));
    stateRoute('logout', 'log out', (id) => agents.logout(id, 'api'));
    stateRoute('unpause', 'unpause', (id) => agents.unpause(id, 'api'));
    stateRoute('end-wrap-up', 'end wrap-up', (id) => agents.endWrapUp(id, 'api'));
    app.post('/api/agents/:id/pause', {
      schema: {
        params: Params,
        body: Type.Object({ reason: Type.String({ pattern: '^[a-z_]+$', maxLength: 40 }) }, { additionalProperties: false }),
        response: { 200: Changed, 404: Error_, 409: Refused, 422: Error_ },
      },
    }, async (req, reply) => {
      const { id } = req.params as { id: string };
      return answer(reply, await agents.pause(id, (req.body as { reason: string }).reason, 'api'), 'pause');
    });

    app.get('/api/agents/:id/timeline', {
      schema: { params: Params, querystring: TimelineQuery, response: { 200: Type.Array(TimelineEntry), 400: Error_, 404: Error_ } },
    }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const q = req.query as { from?: string; to?: string; limit?: string };
      const range: { from?: Date; to?: Date; limit: number } = { limit: Math.min(Number(q.limit ?? 1000), 10_000) };
      for (const k of ['from', 'to'] as const) {
        const v = q[k];
        if (v === undefined) continue;
        const t = new Date(v);
        if (Number.isNaN(t.getTime())) return reply.code(400).send({ error: `querystring/${k} must be an ISO 8601 time (got ${JSON.stringify(v)})` });
        range[k] = t;
      }
      if (!(await agents.get(id))) return reply.code(404).send({ error: `agent ${id} does not exist` });
      return (await agents.timeline(id, range)).map((e) => ({
        id: e.id, at: e.at, from: e.from, to: e.to,
        reason: e.reason ?? null, via: e.via ?? null, pauseReason: e.pauseReason ?? null, callId: e.callId ?? null,
      }));
    });

    app.get('/api/pause-reasons', { schema: { response: { 200: Type.Array(PauseReasonView) } } }, async () => agents.pauseReasons());

    app.post('/api/pause-reasons', {
      schema: { body: PauseReasonBody, response: { 201: PauseReasonView, 409: Error_ } },
    }, async (req, reply) => {
      const b = req.body as { code: string; zh: string; en: string };
      const r = await agents.addPauseReason(b);
      if (!r) return reply.code(409).send({ error: `body/code: pause reason "${b.code}" already exists` });
      return reply.code(201).send(r);
    });
  };
}
