import type pg from 'pg';
import type { Scope } from '../../core/workorders/visibility.js';
import type { WorkOrderStatus, WorkOrderType } from '../../core/workorders/model.js';

export interface Department {
  code: string;
  name: string;
  nameEn: string;
  active: boolean;
}

export interface WorkOrder {
  id: string;
  type: WorkOrderType;
  aboutStaff: boolean;
  status: WorkOrderStatus;
  title: string;
  content: string;
  caller: string;
  callId: string | null;
  queue: string | null;
  department: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
  dueAt: number;
  slaGeneration: number;
  remindedAt: number | null;
  escalatedAt: number | null;
  assignedAt: number | null;
  repliedAt: number | null;
  callerRepliedAt: number | null;
  closedAt: number | null;
}

export type StepKind = 'created' | 'assigned' | 'replied' | 'caller_replied' | 'reminded' | 'escalated' | 'closed' | 'reopened';

export interface Step {
  seq: number;
  at: number;
  kind: StepKind;
  actor: string;
  department: string | null;
  note: string | null;
}

export interface ListFilter {
  status?: WorkOrderStatus;
  type?: WorkOrderType;
  department?: string;
  overdue?: boolean;
  limit: number;
}

/** What a call left in history that an order made from it starts with (the caller, and how the call was routed). */
export interface CallFacts {
  caller: string;
  queue: string | null;
  agentId: string | null;
  /** The route of the call's last entry into a queue (its call.queued event), for a callback that routes the same way. */
  queued: { queue: string; skills: Record<string, number>; priority: number; line: string; subLine?: string } | null;
}

export interface DepartmentFigures {
  department: string | null;
  open: number;
  overdue: number;
  replied: number;
  medianReplyS: number | null;
}

const ms = (col: string, as: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS "${as}"`;
const ORDER = `id, type, about_staff AS "aboutStaff", status, title, content, caller, call_id AS "callId", queue, department,
  created_by AS "createdBy", ${ms('created_at', 'createdAt')}, ${ms('updated_at', 'updatedAt')}, ${ms('due_at', 'dueAt')},
  sla_generation AS "slaGeneration", ${ms('reminded_at', 'remindedAt')}, ${ms('escalated_at', 'escalatedAt')},
  ${ms('assigned_at', 'assignedAt')}, ${ms('replied_at', 'repliedAt')}, ${ms('caller_replied_at', 'callerRepliedAt')}, ${ms('closed_at', 'closedAt')}`;
const ts = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t));

/**
 * The scope of core/workorders/visibility.ts as SQL: the same rule, so a list never holds an
 * order its reader may not open (test/adapters/workorders.test.ts compares the two).
 */
export function scopeSql(s: Scope, params: unknown[]): string {
  switch (s.kind) {
    case 'all':
      return 'true';
    case 'none':
      return 'false';
    case 'department':
      params.push(s.department);
      return `(department = $${params.length} AND NOT about_staff)`;
    case 'agent':
      params.push(s.createdBy);
      return `(created_by = $${params.length} OR (type <> 'report' AND NOT about_staff))`;
  }
}

/** Work orders, their steps and departments in Postgres (migrations/015_departments_workorders.sql). */
export class PgWorkOrderRepo {
  constructor(private readonly pool: pg.Pool) {}

  async departments(): Promise<Department[]> {
    return (await this.pool.query<Department>('SELECT code, name, name_en AS "nameEn", active FROM departments ORDER BY code')).rows;
  }

  async departmentActive(code: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM departments WHERE code = $1 AND active', [code])).rowCount ?? 0) > 0;
  }

  async callFacts(callId: string): Promise<CallFacts | undefined> {
    const r = await this.pool.query<{ caller: string; queue: string | null; agentId: string | null; queued: CallFacts['queued'] }>(
      `SELECT c.caller, c.queue, c.agent_id AS "agentId",
              (SELECT body FROM events e WHERE e.call_id = c.call_id AND e.type = 'call.queued' ORDER BY seq DESC LIMIT 1) AS queued
         FROM calls c WHERE c.call_id = $1`,
      [callId],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const q = row.queued as (CallFacts['queued'] & { type?: string }) | null;
    return {
      caller: row.caller,
      queue: row.queue ?? q?.queue ?? null,
      agentId: row.agentId,
      queued: q && { queue: q.queue, skills: q.skills ?? {}, priority: q.priority ?? 0, line: q.line, subLine: q.subLine },
    };
  }

  async insert(o: WorkOrder, steps: Omit<Step, 'seq'>[]): Promise<void> {
    await this.tx(async (c) => {
      await c.query(
        `INSERT INTO work_orders (id, type, about_staff, status, title, content, caller, call_id, queue, department, created_by,
           created_at, updated_at, due_at, sla_generation, assigned_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          o.id,
          o.type,
          o.aboutStaff,
          o.status,
          o.title,
          o.content,
          o.caller,
          o.callId,
          o.queue,
          o.department,
          o.createdBy,
          ts(o.createdAt),
          ts(o.updatedAt),
          ts(o.dueAt),
          o.slaGeneration,
          ts(o.assignedAt),
        ],
      );
      await this.insertSteps(c, o.id, steps);
    });
  }

  async get(id: string): Promise<WorkOrder | undefined> {
    return (await this.pool.query<WorkOrder>(`SELECT ${ORDER} FROM work_orders WHERE id = $1`, [id])).rows[0];
  }

  async steps(id: string): Promise<Step[]> {
    const r = await this.pool.query<Step>(
      `SELECT seq::int AS seq, ${ms('at', 'at')}, kind, actor, department, note FROM work_order_steps WHERE order_id = $1 ORDER BY seq`,
      [id],
    );
    return r.rows;
  }

  /** Newest first, only what `scope` allows (in SQL), narrowed by the filter. */
  async list(scope: Scope, f: ListFilter, now: number): Promise<WorkOrder[]> {
    const params: unknown[] = [];
    const where = [scopeSql(scope, params)];
    if (f.status) where.push(`status = $${params.push(f.status)}`);
    if (f.type) where.push(`type = $${params.push(f.type)}`);
    if (f.department) where.push(`department = $${params.push(f.department)}`);
    if (f.overdue !== undefined) {
      const open = `(status IN ('new', 'assigned', 'reopened') AND due_at < $${params.push(new Date(now))})`;
      where.push(f.overdue ? open : `NOT ${open}`);
    }
    const r = await this.pool.query<WorkOrder>(
      `SELECT ${ORDER} FROM work_orders WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.push(f.limit)}`,
      params,
    );
    return r.rows;
  }

  /**
   * One change to an order, decided on the row as it is now: the row is locked, `decide` sees it
   * and returns the change (or throws), the change and its steps are written together.
   */
  async change<T>(
    id: string,
    decide: (o: WorkOrder) => { set: Partial<WorkOrder>; steps: Omit<Step, 'seq'>[]; result: T } | undefined,
  ): Promise<{ before: WorkOrder; after: WorkOrder; result: T } | undefined> {
    return this.tx(async (c) => {
      const before = (await c.query<WorkOrder>(`SELECT ${ORDER} FROM work_orders WHERE id = $1 FOR UPDATE`, [id])).rows[0];
      if (!before) return undefined;
      const d = decide(before);
      if (!d) return undefined;
      const cols: Record<string, unknown> = {};
      const map: Record<string, string> = {
        status: 'status',
        department: 'department',
        updatedAt: 'updated_at',
        dueAt: 'due_at',
        slaGeneration: 'sla_generation',
        remindedAt: 'reminded_at',
        escalatedAt: 'escalated_at',
        assignedAt: 'assigned_at',
        repliedAt: 'replied_at',
        callerRepliedAt: 'caller_replied_at',
        closedAt: 'closed_at',
      };
      for (const [k, v] of Object.entries(d.set)) {
        const col = map[k];
        if (!col) throw new Error(`work order field ${k} cannot change`);
        cols[col] = k.endsWith('At') ? ts(v as number | null) : v;
      }
      const names = Object.keys(cols);
      const after = (
        await c.query<WorkOrder>(
          `UPDATE work_orders SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE id = $1 RETURNING ${ORDER}`,
          [id, ...names.map((n) => cols[n])],
        )
      ).rows[0]!;
      await this.insertSteps(c, id, d.steps);
      return { before, after, result: d.result };
    });
  }

  /** Per department (null: not yet assigned), of the orders created in [from, to). */
  async figures(from: number, to: number, now: number): Promise<DepartmentFigures[]> {
    const r = await this.pool.query<DepartmentFigures>(
      `SELECT department,
              count(*) FILTER (WHERE status IN ('new', 'assigned', 'reopened'))::int AS open,
              count(*) FILTER (WHERE status IN ('new', 'assigned', 'reopened') AND due_at < $3)::int AS overdue,
              count(*) FILTER (WHERE replied_at IS NOT NULL)::int AS replied,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM replied_at - assigned_at))
                FILTER (WHERE replied_at IS NOT NULL AND assigned_at IS NOT NULL AND replied_at >= assigned_at) AS "medianReplyS"
         FROM work_orders WHERE created_at >= $1 AND created_at < $2
        GROUP BY department`,
      [new Date(from), new Date(to), new Date(now)],
    );
    return r.rows.map((x) => ({ ...x, medianReplyS: x.medianReplyS === null ? null : Number(x.medianReplyS) }));
  }

  private async insertSteps(c: pg.PoolClient, id: string, steps: Omit<Step, 'seq'>[]): Promise<void> {
    for (const s of steps)
      await c.query('INSERT INTO work_order_steps (order_id, at, kind, actor, department, note) VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        new Date(s.at),
        s.kind,
        s.actor,
        s.department,
        s.note,
      ]);
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}
