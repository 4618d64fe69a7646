import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { SUPERVISION_MODES } from '../../core/supervision/modes.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { SupervisionError, type SupervisionService } from './supervision-service.js';

const Error_ = Type.Object({ error: Type.String() });
const Mode = Type.Union(
  SUPERVISION_MODES.map((m) => Type.Literal(m)),
  { description: 'listen 监听 (hears both, heard by none), whisper 耳语 (heard by the agent only), barge 强插 (three-way)' },
);
const View = Type.Object({
  id: Type.String(),
  callId: Type.String(),
  agentId: Type.String(),
  mode: Mode,
  phone: Type.String({ description: "the agent id of the supervisor's phone" }),
  supervisor: Type.String({ description: 'the account that asked' }),
  state: Type.Union([Type.Literal('ringing'), Type.Literal('joined'), Type.Literal('left')]),
  startedAt: Type.String(),
  instance: Type.String({ description: 'the service instance holding the call' }),
});
const Uuid = Type.String({ pattern: '^[0-9a-f-]{36}$' });

/** Supervision of live calls from a supervisor's own phone (features/supervision). Each join, switch and leave is audited and an event. */
export function supervisionRoutes(d: { supervision: SupervisionService }): TypedPlugin {
  const s = d.supervision;
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof SupervisionError) return reply.code(err.status).send({ error: `${err.field}: ${err.message}` });
    throw err;
  };
  const tags = ['supervision'];
  return async (app) => {
    strictValidation(app);

    app.get(
      '/api/supervision',
      { schema: { tags, summary: 'Live supervisions, on every instance', response: { 200: Type.Object({ items: Type.Array(View) }) } } },
      async () => ({ items: await s.list() }),
    );

    app.post(
      '/api/calls/:callId/supervision',
      {
        schema: {
          tags,
          summary: "Join a talking call from one's own phone: the phone rings, and once answered hears the call in the mode asked",
          params: Type.Object({ callId: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) }, { additionalProperties: false }),
          body: Type.Object(
            {
              mode: Mode,
              phone: Type.Optional(
                Type.String({
                  pattern: '^[0-9]{3,6}$',
                  description: "an agent id whose phone the supervisor uses; default: the account's linked agent",
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 202: View, 400: Error_, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const v = await s.join(req.principal!, req.params.callId, req.body.mode, req.body.phone);
          await req.audit({ action: 'supervision.join', targetKind: 'call', targetId: req.params.callId, before: null, after: v });
          return reply.code(202).send(v);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.put(
      '/api/supervision/:id',
      {
        schema: {
          tags,
          summary: 'Switch a supervision to another mode during the call',
          params: Type.Object({ id: Uuid }, { additionalProperties: false }),
          body: Type.Object({ mode: Mode }, { additionalProperties: false }),
          response: { 200: View, 400: Error_, 404: Error_, 409: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const v = await s.switchMode(req.principal!, req.params.id, req.body.mode);
          await req.audit({
            action: 'supervision.mode',
            targetKind: 'supervision',
            targetId: req.params.id,
            before: null,
            after: { mode: req.body.mode },
          });
          return v;
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.delete(
      '/api/supervision/:id',
      {
        schema: {
          tags,
          summary: "Leave: the supervisor's phone is hung up; the call carries on undisturbed",
          params: Type.Object({ id: Uuid }, { additionalProperties: false }),
          response: { 204: Type.Null(), 404: Error_ },
        },
      },
      async (req, reply) => {
        try {
          await s.leave(req.principal!, req.params.id);
          await req.audit({ action: 'supervision.leave', targetKind: 'supervision', targetId: req.params.id, before: null, after: null });
          return reply.code(204).send(null);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );
  };
}
