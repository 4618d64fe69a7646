import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { WORK_ORDER_STATUSES, WORK_ORDER_TYPES } from '../../core/workorders/model.js';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { WorkOrderError, type WorkOrderService } from './workorder-service.js';

type Order = Awaited<ReturnType<WorkOrderService['get']>>['order'];
type OrderStep = Awaited<ReturnType<WorkOrderService['get']>>['steps'][number];

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Error_ = Type.Object({ error: Type.String() });
const OrderType = Type.Union(
  WORK_ORDER_TYPES.map((t) => Type.Literal(t)),
  { description: 'transfer 转办, complaint 投诉, report 举报, suggestion 建议' },
);
const Status = Type.Union(WORK_ORDER_STATUSES.map((s) => Type.Literal(s)));
const DepartmentCode = Type.String({ pattern: '^[a-z][a-z0-9-]{1,31}$' });
const Note = Type.String({ minLength: 1, maxLength: 2000 });
const Id = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'day YYYY-MM-DD in Beijing time, inclusive' });

const OrderView = Type.Object({
  id: Type.String(),
  type: OrderType,
  aboutStaff: Type.Boolean(),
  status: Status,
  title: Type.String(),
  content: Type.String(),
  caller: Type.String(),
  callId: Nullable(Type.String()),
  queue: Nullable(Type.String()),
  department: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  dueAt: Type.String(),
  overdue: Type.Boolean({ description: 'past its due time without a reply' }),
  remindedAt: Nullable(Type.String()),
  escalatedAt: Nullable(Type.String({ description: 'escalated to supervisors (due without a reply)' })),
  repliedAt: Nullable(Type.String()),
  callerRepliedAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
});
const StepView = Type.Object({
  at: Type.String(),
  kind: Type.String(),
  actor: Type.String(),
  department: Nullable(Type.String()),
  note: Nullable(Type.String()),
});
const Detail = Type.Object({ order: OrderView, steps: Type.Array(StepView) });

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const stepView = (s: OrderStep): Static<typeof StepView> => ({
  at: iso(s.at)!,
  kind: s.kind,
  actor: s.actor,
  department: s.department,
  note: s.note,
});

/**
 * Work orders (工单) and the departments they go to. Who sees which order is decided row by row
 * in core (core/workorders/visibility.ts): an order one may not see answers 404 like one that
 * does not exist, and lists never hold it. Every change is audited and is an event.
 */
export function workOrderRoutes(d: { workorders: WorkOrderService }): TypedPlugin {
  const w = d.workorders;
  // Field by field, so a new column is not published by accident.
  const view = (o: Order): Static<typeof OrderView> => ({
    id: o.id,
    type: o.type,
    aboutStaff: o.aboutStaff,
    status: o.status,
    title: o.title,
    content: o.content,
    caller: o.caller,
    callId: o.callId,
    queue: o.queue,
    department: o.department,
    createdBy: o.createdBy,
    createdAt: iso(o.createdAt)!,
    updatedAt: iso(o.updatedAt)!,
    dueAt: iso(o.dueAt)!,
    overdue: w.overdue(o),
    remindedAt: iso(o.remindedAt),
    escalatedAt: iso(o.escalatedAt),
    repliedAt: iso(o.repliedAt),
    callerRepliedAt: iso(o.callerRepliedAt),
    closedAt: iso(o.closedAt),
  });
  const refuse = (reply: FastifyReply, err: unknown) => {
    if (err instanceof WorkOrderError)
      return reply.code(err.status).send({ error: err.field ? `body${err.field}: ${err.message}` : err.message });
    throw err;
  };
  const tags = ['workorders'];
  const changed = { 200: OrderView, 400: Error_, 403: Error_, 404: Error_, 409: Error_ };

  return async (app) => {
    strictValidation(app);

    app.get(
      '/api/departments',
      {
        schema: {
          tags,
          summary: 'The departments work orders go to',
          response: {
            200: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String(), active: Type.Boolean() })),
          },
        },
      },
      async () => (await w.departments()).map((x) => ({ code: x.code, name: x.name, nameEn: x.nameEn, active: x.active })),
    );

    app.post(
      '/api/workorders',
      {
        schema: {
          tags,
          summary: 'Create a work order, from a call (callId: the caller and the call summary come from it) or by hand (caller)',
          body: Type.Object(
            {
              type: OrderType,
              aboutStaff: Type.Optional(Type.Boolean({ description: 'a complaint about staff: supervisors and admins only' })),
              title: Type.String({ minLength: 1, maxLength: 100 }),
              content: Type.Optional(Type.String({ maxLength: 4000, description: "empty: the call's summary, if any" })),
              callId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' })),
              caller: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{3,20}$', description: 'by hand only' })),
              department: Type.Optional(DepartmentCode),
            },
            { additionalProperties: false },
          ),
          response: { 201: OrderView, 400: Error_, 403: Error_ },
        },
      },
      async (req, reply) => {
        try {
          const o = await w.create(req.principal!, req.body);
          const after = view(o);
          await req.audit({ action: 'workorder.create', targetKind: 'workorder', targetId: o.id, before: null, after });
          return reply.code(201).send(after);
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    app.get(
      '/api/workorders',
      {
        schema: {
          tags,
          summary: 'Work orders this account may see, newest first',
          querystring: Type.Object(
            {
              status: Type.Optional(Status),
              type: Type.Optional(OrderType),
              department: Type.Optional(DepartmentCode),
              overdue: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
              limit: Type.Optional(Type.String({ pattern: '^([1-9]|[1-9][0-9]|[1-4][0-9][0-9]|500)$', description: '1–500 (100)' })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(OrderView) },
        },
      },
      async (req) => {
        const q = req.query;
        const orders = await w.list(req.principal!, {
          status: q.status,
          type: q.type,
          department: q.department,
          overdue: q.overdue === undefined ? undefined : q.overdue === 'true',
          limit: q.limit ? Number(q.limit) : undefined,
        });
        return orders.map(view);
      },
    );

    app.get(
      '/api/workorders/:id',
      { schema: { tags, summary: 'One work order and its steps', params: Id, response: { 200: Detail, 404: Error_ } } },
      async (req, reply) => {
        try {
          const r = await w.get(req.principal!, req.params.id);
          return { order: view(r.order), steps: r.steps.map(stepView) };
        } catch (err) {
          return refuse(reply, err);
        }
      },
    );

    /** One step of an order's life: audited with the order before and after. */
    const act =
      (action: string) =>
      async (req: Pick<FastifyRequest, 'audit'>, id: string, reply: FastifyReply, run: () => Promise<{ before: Order; after: Order }>) => {
        try {
          const r = await run();
          const after = view(r.after);
          await req.audit({ action: `workorder.${action}`, targetKind: 'workorder', targetId: id, before: view(r.before), after });
          return after;
        } catch (err) {
          return refuse(reply, err);
        }
      };

    app.post(
      '/api/workorders/:id/assign',
      {
        schema: {
          tags,
          summary: 'Hand the order to a department (again): its due time starts again',
          params: Id,
          body: Type.Object({ department: DepartmentCode, note: Type.Optional(Note) }, { additionalProperties: false }),
          response: changed,
        },
      },
      (req, reply) =>
        act('assign')(req, req.params.id, reply, () => w.assign(req.principal!, req.params.id, req.body.department, req.body.note)),
    );

    app.post(
      '/api/workorders/:id/reply',
      {
        schema: {
          tags,
          summary: "The department's answer (its liaison, or a supervisor)",
          params: Id,
          body: Type.Object({ note: Note }, { additionalProperties: false }),
          response: changed,
        },
      },
      (req, reply) => act('reply')(req, req.params.id, reply, () => w.reply(req.principal!, req.params.id, req.body.note)),
    );

    app.post(
      '/api/workorders/:id/reply-caller',
      {
        schema: {
          tags,
          summary: 'Answer the caller: a callback to their number (into the original call’s queue), or a note that it was done',
          params: Id,
          body: Type.Union([
            Type.Object({ via: Type.Literal('callback') }, { additionalProperties: false }),
            Type.Object({ via: Type.Literal('note'), note: Note }, { additionalProperties: false }),
          ]),
          response: changed,
        },
      },
      (req, reply) => act('reply_caller')(req, req.params.id, reply, () => w.replyCaller(req.principal!, req.params.id, req.body)),
    );

    app.post(
      '/api/workorders/:id/close',
      {
        schema: {
          tags,
          summary: 'Close the order',
          params: Id,
          body: Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false }),
          response: changed,
        },
      },
      (req, reply) => act('close')(req, req.params.id, reply, () => w.close(req.principal!, req.params.id, req.body.note)),
    );

    app.post(
      '/api/workorders/:id/reopen',
      {
        schema: {
          tags,
          summary: 'Reopen a closed order (with the reason): its due time starts again',
          params: Id,
          body: Type.Object({ reason: Note }, { additionalProperties: false }),
          response: changed,
        },
      },
      (req, reply) => act('reopen')(req, req.params.id, reply, () => w.reopen(req.principal!, req.params.id, req.body.reason)),
    );

    app.get(
      '/api/reports/workorders',
      {
        schema: {
          tags: ['reports', ...tags],
          summary: 'Work orders per department, of those created from `from` to `to`: open, overdue, replied, median time to reply',
          querystring: Type.Object({ from: Day, to: Type.Optional(Day) }, { additionalProperties: false }),
          response: {
            200: Type.Array(
              Type.Object({
                department: Nullable(Type.String({ description: 'null: not yet assigned' })),
                name: Nullable(Type.String()),
                nameEn: Nullable(Type.String()),
                open: Type.Integer(),
                overdue: Type.Integer(),
                replied: Type.Integer(),
                medianReplyS: Type.Union([Type.Number(), Type.Null()], { description: 'assignment to reply, seconds' }),
              }),
            ),
            400: Error_,
          },
        },
      },
      async (req, reply) => {
        const from = beijingDayStart(req.query.from);
        const to = beijingDayStart(req.query.to ?? req.query.from) + 86_400_000;
        if (Number.isNaN(from) || Number.isNaN(to)) return reply.code(400).send({ error: 'querystring/from: not a day' });
        if (to <= from) return reply.code(400).send({ error: 'querystring/to: before from' });
        if (to - from > 366 * 86_400_000) return reply.code(400).send({ error: 'querystring/to: at most a year' });
        return (await w.figures(from, to)).map((f) => ({
          department: f.department,
          name: f.name,
          nameEn: f.nameEn,
          open: f.open,
          overdue: f.overdue,
          replied: f.replied,
          medianReplyS: f.medianReplyS,
        }));
      },
    );
  };
}

/** 00:00 Beijing time (UTC+8, no summer time) of a day. */
function beijingDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}
