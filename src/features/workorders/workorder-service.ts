import type { Logger } from 'pino';
import type { Principal } from '../../core/auth/access.js';
import { stamp, type Ctx, type DomainEvent, type EventBody } from '../../core/events.js';
import { mayAct, mayCreate, newOrderProblems, type Action } from '../../core/workorders/machine.js';
import type { WorkOrderStatus, WorkOrderType } from '../../core/workorders/model.js';
import { canSee, scopeOf } from '../../core/workorders/visibility.js';
import { isOverdue, slaJobDue, slaPlan, type SlaOptions } from '../../core/workorders/sla.js';
import type { CallbackJob } from '../callbacks/callback-service.js';
import type { SlaJob, SlaJobs } from './sla-jobs.js';
import type { Department, DepartmentFigures, ListFilter, PgWorkOrderRepo, Step, WorkOrder } from './workorder-repo.js';

/** A request the service refuses: the HTTP status and the field it names (`/callId`, `/department` …). */
export class WorkOrderError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'WorkOrderError';
  }
}

export interface NewOrder {
  type: WorkOrderType;
  aboutStaff?: boolean;
  title: string;
  content?: string;
  callId?: string;
  caller?: string;
  department?: string;
}

export type CallerReply = { via: 'callback' } | { via: 'note'; note: string };

export interface WorkOrderDeps {
  repo: PgWorkOrderRepo;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  /** Due times: working days by default (core/workorders/sla.ts); tests fix durations. */
  sla: SlaOptions;
  /** Schedules a callback through features/callbacks (CallbackService.dial) under its own job id. */
  dialBack: (job: CallbackJob, jobId: string) => Promise<void>;
  /** The instance that owns callbacks it schedules (WaitingDetails.owner). */
  instanceId: string;
  /** The call's summary (来电小结) in a few words, when one was written (features/summaries, wired by the root). */
  summaryOf?: (callId: string) => Promise<string | undefined>;
  log: Logger;
}

export interface Changed {
  before: WorkOrder;
  after: WorkOrder;
}

/**
 * Work orders between the center and the departments: who sees and may do what is core's
 * (core/workorders), the due times too; this runs it against Postgres, schedules the SLA jobs
 * and publishes each step's event. Every step is one locked read and write of the order
 * (PgWorkOrderRepo.change), so two people acting at once cannot both move it.
 */
export class WorkOrderService {
  private jobs: Pick<SlaJobs, 'schedule' | 'cancel'> | undefined;

  constructor(private readonly d: WorkOrderDeps) {}

  /** The SLA jobs are built after the service (they call back into it). */
  useJobs(jobs: Pick<SlaJobs, 'schedule' | 'cancel'>): void {
    this.jobs = jobs;
  }

  departments(): Promise<Department[]> {
    return this.d.repo.departments();
  }

  async create(p: Principal, input: NewOrder): Promise<WorkOrder> {
    if (!mayCreate(p)) throw new WorkOrderError(403, '', `role ${p.role} does not create work orders`);
    let caller = input.caller;
    let queue: string | null = null;
    let content = input.content ?? '';
    if (input.callId !== undefined) {
      if (input.caller !== undefined) throw new WorkOrderError(400, '/caller', 'an order from a call takes the caller from the call');
      const call = await this.d.repo.callFacts(input.callId);
      if (!call) throw new WorkOrderError(400, '/callId', `no call ${input.callId}`);
      caller = call.caller;
      queue = call.queue;
      if (!content.trim()) content = (await this.d.summaryOf?.(input.callId).catch(() => undefined)) ?? '';
    }
    if (caller === undefined) throw new WorkOrderError(400, '/caller', 'an order made by hand names the caller');
    const problem = newOrderProblems({ ...input, content, fromCall: input.callId !== undefined })[0];
    if (problem) throw new WorkOrderError(400, problem.path, problem.message);
    if (input.department !== undefined && !(await this.d.repo.departmentActive(input.department)))
      throw new WorkOrderError(400, '/department', `no department ${input.department}`);

    const ctx = this.d.ctx();
    const plan = slaPlan(input.type, ctx.now, this.d.sla);
    const department = input.department ?? null;
    const order: WorkOrder = {
      id: ctx.newId(),
      type: input.type,
      aboutStaff: input.aboutStaff ?? false,
      // Named at creation, the order is handed over at once (the creator chose the department).
      status: department ? 'assigned' : 'new',
      title: input.title.trim(),
      content: content.trim(),
      caller,
      callId: input.callId ?? null,
      queue,
      department,
      createdBy: p.id,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      dueAt: plan.dueAt,
      slaGeneration: 1,
      remindedAt: null,
      escalatedAt: null,
      assignedAt: department ? ctx.now : null,
      repliedAt: null,
      callerRepliedAt: null,
      closedAt: null,
    };
    const steps: Omit<Step, 'seq'>[] = [{ at: ctx.now, kind: 'created', actor: p.id, department: null, note: null }];
    if (department) steps.push({ at: ctx.now, kind: 'assigned', actor: p.id, department, note: null });
    await this.d.repo.insert(order, steps);
    const dueAt = iso(plan.dueAt);
    const events: EventBody[] = [
      {
        type: 'workorder.created',
        orderId: order.id,
        orderType: order.type,
        aboutStaff: order.aboutStaff,
        ...(department ? { department } : {}),
        ...(order.callId ? { callId: order.callId } : {}),
        createdBy: p.id,
        dueAt,
      },
    ];
    if (department) events.push({ type: 'workorder.assigned', orderId: order.id, department, by: p.id, dueAt });
    this.publish(ctx, events);
    await this.schedule(order.id, 1, plan);
    return order;
  }

  async list(
    p: Principal,
    f: { status?: WorkOrderStatus; type?: WorkOrderType; department?: string; overdue?: boolean; limit?: number },
  ): Promise<WorkOrder[]> {
    const filter: ListFilter = { ...f, limit: f.limit ?? 100 };
    return this.d.repo.list(scopeOf(p), filter, this.d.ctx().now);
  }

  /** The order and its steps, if `p` may see it; otherwise a 404, as for an order that does not exist. */
  async get(p: Principal, id: string): Promise<{ order: WorkOrder; steps: Step[] }> {
    const order = await this.d.repo.get(id);
    if (!order || !canSee(p, order)) throw notFound();
    return { order, steps: await this.d.repo.steps(id) };
  }

  async assign(p: Principal, id: string, department: string, note?: string): Promise<Changed> {
    if (!(await this.d.repo.departmentActive(department))) throw new WorkOrderError(400, '/department', `no department ${department}`);
    const ctx = this.d.ctx();
    const r = await this.step(p, id, 'assign', (o) => {
      if (o.status === 'assigned' && o.department === department)
        throw new WorkOrderError(409, '/department', `already assigned to ${department}`);
      // The department's clock starts when the order reaches it (a new department gets its full time).
      const plan = slaPlan(o.type, ctx.now, this.d.sla);
      return {
        set: {
          status: 'assigned',
          department,
          assignedAt: ctx.now,
          dueAt: plan.dueAt,
          slaGeneration: o.slaGeneration + 1,
          remindedAt: null,
          escalatedAt: null,
          updatedAt: ctx.now,
        },
        steps: [{ at: ctx.now, kind: 'assigned', actor: p.id, department, note: note ?? null }],
        result: plan,
      };
    });
    const { before, after } = r;
    this.publish(ctx, [
      {
        type: 'workorder.assigned',
        orderId: id,
        department,
        ...(before.department && before.department !== department ? { from: before.department } : {}),
        by: p.id,
        dueAt: iso(after.dueAt),
      },
    ]);
    await this.schedule(id, after.slaGeneration, r.result);
    return { before, after };
  }

  /** The department's answer. */
  async reply(p: Principal, id: string, note: string): Promise<Changed> {
    const ctx = this.d.ctx();
    const r = await this.step(p, id, 'reply', (o) => ({
      set: { status: 'replied', repliedAt: ctx.now, updatedAt: ctx.now },
      steps: [{ at: ctx.now, kind: 'replied', actor: p.id, department: o.department, note }],
      result: undefined,
    }));
    const { before, after } = r;
    this.publish(ctx, [
      {
        type: 'workorder.replied',
        orderId: id,
        ...(after.department ? { department: after.department } : {}),
        by: p.id,
        late: ctx.now > before.dueAt,
      },
    ]);
    await this.jobs?.cancel(id, after.slaGeneration);
    return { before, after };
  }

  /**
   * The center tells the caller the answer: a callback (the callbacks queue dials the caller's
   * stored number through the dial guard, and the answered call joins the original call's queue),
   * or a note that it was done some other way.
   */
  async replyCaller(p: Principal, id: string, how: CallerReply): Promise<Changed> {
    const ctx = this.d.ctx();
    if (how.via === 'callback') {
      const o = await this.d.repo.get(id);
      if (!o) throw notFound();
      // Checked before dialling too: a callback is never scheduled for someone who may not ask for it.
      const v = mayAct(p, o, 'reply_caller');
      if (!v.ok) throw new WorkOrderError(v.status, v.status === 409 ? '/status' : '', v.reason);
      const call = o.callId ? await this.d.repo.callFacts(o.callId) : undefined;
      const queued = call?.queued;
      if (!o.callId || !queued)
        throw new WorkOrderError(409, '/via', 'only an order from a call that reached a queue can be answered by a callback: use a note');
      // Scheduled before the step is recorded: a step saying the caller is being called back when
      // no callback was scheduled (Redis down) would be worse than a second callback on a retry.
      await this.d.dialBack(
        {
          // The original call: the callback's events (callback.attempted, call.started callbackFor) name it.
          callId: o.callId,
          queue: queued.queue,
          skills: queued.skills,
          priority: queued.priority,
          enqueuedAt: ctx.now,
          caller: o.caller,
          excludedAgents: [],
          owner: this.d.instanceId,
          kind: 'callback',
          route: { line: queued.line, ...(queued.subLine ? { subLine: queued.subLine } : {}) },
        },
        `wo-${id}-${ctx.now}`,
      );
    }
    const note = how.via === 'note' ? how.note : null;
    const r = await this.step(p, id, 'reply_caller', () => ({
      set: { callerRepliedAt: ctx.now, updatedAt: ctx.now },
      // No note for a callback: the step says the caller is being called back (the page words it in its language).
      steps: [{ at: ctx.now, kind: 'caller_replied', actor: p.id, department: null, note }],
      result: undefined,
    }));
    this.publish(ctx, [{ type: 'workorder.caller_replied', orderId: id, via: how.via, by: p.id }]);
    return r;
  }

  async close(p: Principal, id: string, note?: string): Promise<Changed> {
    const ctx = this.d.ctx();
    const r = await this.step(p, id, 'close', () => ({
      set: { status: 'closed', closedAt: ctx.now, updatedAt: ctx.now },
      steps: [{ at: ctx.now, kind: 'closed', actor: p.id, department: null, note: note ?? null }],
      result: undefined,
    }));
    this.publish(ctx, [{ type: 'workorder.closed', orderId: id, by: p.id }]);
    await this.jobs?.cancel(id, r.after.slaGeneration);
    return r;
  }

  async reopen(p: Principal, id: string, reason: string): Promise<Changed> {
    const ctx = this.d.ctx();
    const r = await this.step(p, id, 'reopen', (o) => {
      const plan = slaPlan(o.type, ctx.now, this.d.sla);
      return {
        set: {
          status: 'reopened',
          closedAt: null,
          dueAt: plan.dueAt,
          slaGeneration: o.slaGeneration + 1,
          remindedAt: null,
          escalatedAt: null,
          updatedAt: ctx.now,
        },
        steps: [{ at: ctx.now, kind: 'reopened', actor: p.id, department: null, note: reason }],
        result: plan,
      };
    });
    this.publish(ctx, [{ type: 'workorder.reopened', orderId: id, by: p.id, dueAt: iso(r.after.dueAt) }]);
    await this.schedule(id, r.after.slaGeneration, r.result);
    return { before: r.before, after: r.after };
  }

  /** An SLA job's time came: remind the department, or escalate to supervisors, unless that is no longer owed. */
  async slaFired(job: SlaJob): Promise<void> {
    const ctx = this.d.ctx();
    const r = await this.d.repo.change(job.orderId, (o) => {
      if (!slaJobDue(o, job)) return undefined;
      const kind = job.kind === 'remind' ? ('reminded' as const) : ('escalated' as const);
      return {
        set: job.kind === 'remind' ? { remindedAt: ctx.now } : { escalatedAt: ctx.now },
        steps: [{ at: ctx.now, kind, actor: 'system', department: o.department, note: null }],
        result: kind,
      };
    });
    if (!r) return;
    const { after } = r;
    const body = { orderId: after.id, ...(after.department ? { department: after.department } : {}), dueAt: iso(after.dueAt) };
    this.publish(ctx, [r.result === 'reminded' ? { type: 'workorder.reminded', ...body } : { type: 'workorder.escalated', ...body }]);
    this.d.log.info({ orderId: after.id, kind: r.result, department: after.department }, 'work order SLA step');
  }

  /** Per department, of the orders created in [from, to): open and overdue now, replied, median time to reply. */
  async figures(from: number, to: number): Promise<(DepartmentFigures & { name: string | null; nameEn: string | null })[]> {
    const [rows, departments] = await Promise.all([this.d.repo.figures(from, to, this.d.ctx().now), this.d.repo.departments()]);
    const byCode = new Map(rows.map((r) => [r.department, r]));
    const out: (DepartmentFigures & { name: string | null; nameEn: string | null })[] = departments
      .filter((d) => d.active || byCode.has(d.code))
      .map((d) => ({ ...(byCode.get(d.code) ?? zero(d.code)), name: d.name, nameEn: d.nameEn }));
    const unassigned = byCode.get(null);
    if (unassigned) out.push({ ...unassigned, name: null, nameEn: null });
    return out;
  }

  overdue(o: WorkOrder): boolean {
    return isOverdue(o, this.d.ctx().now);
  }

  private async step<T>(
    p: Principal,
    id: string,
    action: Action,
    change: (o: WorkOrder) => { set: Partial<WorkOrder>; steps: Omit<Step, 'seq'>[]; result: T },
  ): Promise<Changed & { result: T }> {
    const r = await this.d.repo.change(id, (o) => {
      const v = mayAct(p, o, action);
      if (!v.ok) throw new WorkOrderError(v.status, v.status === 409 ? '/status' : '', v.reason);
      return change(o);
    });
    if (!r) throw notFound();
    return r;
  }

  private async schedule(id: string, generation: number, plan: { remindAt: number; dueAt: number }): Promise<void> {
    try {
      await this.jobs?.schedule(id, generation, plan);
    } catch (err) {
      // The order is stored; its reminder is lost with Redis, not the order (the list still shows it overdue).
      this.d.log.warn({ orderId: id, err: (err as Error).message }, 'work order SLA jobs not scheduled');
    }
  }

  private publish(ctx: Ctx, bodies: EventBody[]): void {
    this.d.publish(bodies.map((b) => stamp(ctx, b)));
  }
}

const notFound = () => new WorkOrderError(404, '', 'no such work order');
const iso = (t: number) => new Date(t).toISOString();
const zero = (department: string): DepartmentFigures => ({ department, open: 0, overdue: 0, replied: 0, medianReplyS: null });
