import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { AgentInputError, AgentRefError, describeRefusal, type AgentService, type StateChange } from './agent-service.js';

const AgentId = Type.String({ pattern: '^[0-9]{3,6}$', description: 'the SIP user name, 3 to 6 digits' });
const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' });
const State = Type.Union(['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'].map((s) => Type.Literal(s)));
const Skills = Type.Record(Code, Type.Integer({ minimum: 1, maximum: 5 }), {
  additionalProperties: false,
  description: 'skill -> proficiency 1..5',
});
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
/** Skills or queues the active routing configuration lacks, each at its body path (body/skills/<code>, body/queues/<i>). */
const UnknownRefs = Type.Object({ error: Type.String(), errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })) });
const Refused = Type.Object({ error: Type.String(), state: Type.Optional(State) });
const PauseReasonView = Type.Object({
  code: Type.String(),
  zh: Type.String(),
  en: Type.String(),
  builtin: Type.Boolean(),
  createdAt: Type.String(),
});
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

/** What the service answers with; the API's own shapes above are mapped from them field by field. */
type Agent = NonNullable<Awaited<ReturnType<AgentService['get']>>>;
type Live = Awaited<ReturnType<AgentService['live']>>;
type PauseReason = Awaited<ReturnType<AgentService['pauseReasons']>>[number];
type TimelineItem = Awaited<ReturnType<AgentService['timeline']>>[number];

const view = (a: Agent, live: Live): Static<typeof AgentView> => ({
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

// What the audit log keeps of an agent: never its phone's password digest.
const profile = (a: Agent) => ({ name: a.name, skills: a.skills, queues: a.queues });

const pauseReasonView = (r: PauseReason): Static<typeof PauseReasonView> => ({
  code: r.code,
  zh: r.zh,
  en: r.en,
  builtin: r.builtin,
  createdAt: r.createdAt,
});

const timelineView = (e: TimelineItem): Static<typeof TimelineEntry> => ({
  id: e.id,
  at: e.at,
  from: e.from,
  to: e.to,
  reason: e.reason ?? null,
  via: e.via ?? null,
  pauseReason: e.pauseReason ?? null,
  callId: e.callId ?? null,
});

/**
 * Ops API for agents: create/update/delete (the phone follows in Asterisk at once), read with
 * live state, state changes (login, logout, pause with a reason, unpause, end wrap-up), pause
 * reasons, and an agent's state-change timeline.
 */
export function agentRoutes(d: { agents: AgentService }): TypedPlugin {
  const { agents } = d;
  return async (app) => {
    strictValidation(app);

    /** A state change the service refused, as 404 (no such agent), 422 (no such pause reason) or 409 (not from this state). */
    const refuse = (reply: FastifyReply, r: Exclude<StateChange, { applied: true }>, action: string) => {
      const error = describeRefusal(r, action);
      if (r.problem === 'unknown_agent') return reply.code(404).send({ error });
      if (r.problem === 'unknown_pause_reason') return reply.code(422).send({ error: `body/reason: ${error}` });
      return reply.code(409).send({ error, state: r.state });
    };
    /** `action` in words for a refusal ("log in"); `move` names it in the audit log ("login"). */
    const answer = async (req: FastifyRequest, reply: FastifyReply, r: StateChange, action: string, move = action) => {
      if (!r.applied) return refuse(reply, r, action);
      await req.audit({
        action: `agent.${move}`,
        targetKind: 'agent',
        targetId: r.agentId,
        before: { state: r.from },
        after: { state: r.state, pauseReason: r.pauseReason ?? null },
      });
      const changed: Static<typeof Changed> = { agentId: r.agentId, from: r.from, state: r.state, pauseReason: r.pauseReason ?? null };
      return changed;
    };

    const tags = ['agents'];
    app.get(
      '/api/agents',
      { schema: { tags, summary: 'List agents with their live state', response: { 200: Type.Array(AgentView) } } },
      async () => (await agents.list()).map(({ agent, live }) => view(agent, live)),
    );

    app.get(
      '/api/agents/:id',
      { schema: { tags, summary: 'Read one agent with its live state', params: Params, response: { 200: AgentView, 404: Error_ } } },
      async (req, reply) => {
        const { id } = req.params;
        const a = await agents.get(id);
        if (!a) return reply.code(404).send({ error: `agent ${id} does not exist` });
        return view(a, await agents.live(id));
      },
    );

    app.put(
      '/api/agents/:id',
      {
        schema: {
          tags,
          summary: 'Create (201) or update (200) an agent; its phone follows in Asterisk at once',
          params: Params,
          body: AgentBody,
          response: { 200: AgentView, 201: AgentView, 400: Error_, 422: UnknownRefs },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const b = req.body;
        try {
          const before = await agents.get(id);
          const r = await agents.save({ agentId: id, name: b.name, password: b.password, skills: b.skills, queues: b.queues });
          await req.audit({
            action: r.created ? 'agent.create' : 'agent.update',
            targetKind: 'agent',
            targetId: id,
            before: before?.active ? profile(before) : null,
            after: { ...profile(r.agent), ...(b.password ? { passwordChanged: true } : {}) },
          });
          return reply.code(r.created ? 201 : 200).send(view(r.agent, await agents.live(id)));
        } catch (err) {
          if (err instanceof AgentRefError) {
            return reply.code(422).send({
              error: `body/${err.field}: ${err.message}`,
              errors: err.problems.map((p) => ({ path: `body${p.path}`, message: p.message })),
            });
          }
          if (err instanceof AgentInputError) return reply.code(400).send({ error: `body/${err.field}: ${err.message}` });
          throw err;
        }
      },
    );

    app.put(
      '/api/agents/:id/assignment',
      {
        schema: {
          tags: ['agents'],
          summary: 'Move an agent between queues or change its skills (supervisors may)',
          params: Params,
          body: Type.Object(
            { skills: Type.Optional(Skills), queues: Type.Optional(Queues) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: AgentView, 404: Error_, 422: Error_ },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const b = req.body;
        const before = await agents.get(id);
        if (!before?.active) return reply.code(404).send({ error: `agent ${id} does not exist` });
        try {
          const r = await agents.save({
            agentId: id,
            name: before.name,
            skills: b.skills ?? before.skills,
            queues: b.queues ?? before.queues,
          });
          await req.audit({ action: 'agent.assign', targetKind: 'agent', targetId: id, before: profile(before), after: profile(r.agent) });
          return view(r.agent, await agents.live(id));
        } catch (err) {
          if (err instanceof AgentInputError) return reply.code(422).send({ error: `body/${err.field}: ${err.message}` });
          throw err;
        }
      },
    );

    app.delete(
      '/api/agents/:id',
      {
        schema: {
          tags,
          summary: 'Delete an agent (logged out, phone removed); refused while it is on a call',
          params: Params,
          response: { 200: Type.Object({ agentId: Type.String(), deleted: Type.Boolean() }), 404: Error_, 409: Refused },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const before = await agents.get(id);
        const r = await agents.remove(id, 'api');
        if (!r.applied) return refuse(reply, r, 'be deleted');
        await req.audit({ action: 'agent.delete', targetKind: 'agent', targetId: id, before: before && profile(before), after: null });
        return { agentId: id, deleted: true };
      },
    );

    const stateRoute = (path: string, action: string, run: (id: string) => Promise<StateChange>) =>
      app.post(
        `/api/agents/:id/${path}`,
        {
          schema: { tags, summary: `Agent state change: ${action}`, params: Params, response: { 200: Changed, 404: Error_, 409: Refused } },
        },
        async (req, reply) => answer(req, reply, await run(req.params.id), action, path),
      );

    stateRoute('login', 'log in', (id) => agents.login(id, 'api'));
    stateRoute('logout', 'log out', (id) => agents.logout(id, 'api'));
    stateRoute('unpause', 'unpause', (id) => agents.unpause(id, 'api'));
    stateRoute('end-wrap-up', 'end wrap-up', (id) => agents.endWrapUp(id, 'api'));
    app.post(
      '/api/agents/:id/pause',
      {
        schema: {
          tags,
          summary: 'Agent state change: pause with a reason (see /api/pause-reasons)',
          params: Params,
          body: Type.Object({ reason: Type.String({ pattern: '^[a-z_]+$', maxLength: 40 }) }, { additionalProperties: false }),
          response: { 200: Changed, 404: Error_, 409: Refused, 422: Error_ },
        },
      },
      async (req, reply) => {
        return answer(req, reply, await agents.pause(req.params.id, req.body.reason, 'api'), 'pause');
      },
    );

    app.get(
      '/api/agents/:id/timeline',
      {
        schema: {
          tags,
          summary: "An agent's state changes, in the order they happened",
          params: Params,
          querystring: TimelineQuery,
          response: { 200: Type.Array(TimelineEntry), 400: Error_, 404: Error_ },
        },
      },
      async (req, reply) => {
        const { id } = req.params;
        const q = req.query;
        const range: { from?: Date; to?: Date; limit: number } = { limit: Math.min(Number(q.limit ?? 1000), 10_000) };
        for (const k of ['from', 'to'] as const) {
          const v = q[k];
          if (v === undefined) continue;
          const t = new Date(v);
          if (Number.isNaN(t.getTime()))
            return reply.code(400).send({ error: `querystring/${k} must be an ISO 8601 time (got ${JSON.stringify(v)})` });
          range[k] = t;
        }
        if (!(await agents.get(id))) return reply.code(404).send({ error: `agent ${id} does not exist` });
        return (await agents.timeline(id, range)).map(timelineView);
      },
    );

    app.get(
      '/api/pause-reasons',
      { schema: { tags, summary: 'Pause reasons, built-in and added by ops', response: { 200: Type.Array(PauseReasonView) } } },
      async () => (await agents.pauseReasons()).map(pauseReasonView),
    );

    app.post(
      '/api/pause-reasons',
      {
        schema: { tags, summary: 'Add a pause reason', body: PauseReasonBody, response: { 201: PauseReasonView, 409: Error_ } },
      },
      async (req, reply) => {
        const b = req.body;
        const r = await agents.addPauseReason(b);
        if (!r) return reply.code(409).send({ error: `body/code: pause reason "${b.code}" already exists` });
        const added = pauseReasonView(r);
        await req.audit({ action: 'pause_reason.create', targetKind: 'pause_reason', targetId: r.code, before: null, after: added });
        return reply.code(201).send(added);
      },
    );

    const CodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z_]{1,40}$' }) }, { additionalProperties: false });

    app.patch(
      '/api/pause-reasons/:code',
      {
        schema: {
          tags,
          summary: 'Reword a pause reason (its code stays)',
          params: CodeParams,
          body: Type.Object(
            { zh: Type.Optional(PauseReasonBody.properties.zh), en: Type.Optional(PauseReasonBody.properties.en) },
            { additionalProperties: false, minProperties: 1 },
          ),
          response: { 200: PauseReasonView, 404: Error_ },
        },
      },
      async (req, reply) => {
        const { code } = req.params;
        const found = (await agents.pauseReasons()).find((r) => r.code === code);
        const renamed = found && (await agents.renamePauseReason(code, req.body));
        if (!found || !renamed) return reply.code(404).send({ error: `pause reason "${code}" does not exist` });
        const before = pauseReasonView(found);
        const after = pauseReasonView(renamed);
        await req.audit({ action: 'pause_reason.update', targetKind: 'pause_reason', targetId: code, before, after });
        return after;
      },
    );

    app.delete(
      '/api/pause-reasons/:code',
      {
        schema: {
          tags,
          summary: 'Retire a pause reason: kept for past pauses, no longer offered',
          params: CodeParams,
          response: { 200: Type.Object({ code: Type.String(), retired: Type.Boolean() }), 404: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        const { code } = req.params;
        const found = (await agents.pauseReasons()).find((r) => r.code === code);
        const before = found && pauseReasonView(found);
        const r = await agents.retirePauseReason(code);
        if (r === 'unknown') return reply.code(404).send({ error: `pause reason "${code}" does not exist` });
        if (r === 'builtin')
          return reply
            .code(409)
            .send({ error: `pause reason "${code}" is built in (phone codes and the system use it) and cannot be retired` });
        await req.audit({ action: 'pause_reason.retire', targetKind: 'pause_reason', targetId: code, before, after: null });
        return { code, retired: true };
      },
    );
  };
}
