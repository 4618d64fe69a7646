import type { Principal } from '../auth/access.js';
import { grants } from '../auth/access.js';
import { canSee } from './visibility.js';
import { WORK_ORDER_TYPES, type OrderFacts, type WorkOrderStatus, type WorkOrderType } from './model.js';

/**
 * The life of a work order:
 *
 *   new ──assign──► assigned ──reply──► replied ──close──► closed ──reopen──► reopened ──assign──► assigned …
 *                   (reassign: assigned ──assign──► assigned)     (reply_caller: replied → replied)
 *
 * `close` also ends an order that never got a reply (a duplicate, a caller who withdrew): from
 * new, assigned or reopened. Replying to the caller does not change the status; it is a step.
 */
export const ACTIONS = ['assign', 'reply', 'reply_caller', 'close', 'reopen'] as const;
export type Action = (typeof ACTIONS)[number];

const FROM: Record<Action, readonly WorkOrderStatus[]> = {
  assign: ['new', 'assigned', 'reopened'],
  reply: ['assigned'],
  reply_caller: ['replied'],
  close: ['new', 'assigned', 'replied', 'reopened'],
  reopen: ['closed'],
};
const TO: Record<Action, WorkOrderStatus | null> = {
  assign: 'assigned',
  reply: 'replied',
  reply_caller: null,
  close: 'closed',
  reopen: 'reopened',
};

/** The status after `action`, or undefined when the action does not apply in `status`. */
export function nextStatus(status: WorkOrderStatus, action: Action): WorkOrderStatus | undefined {
  if (!FROM[action].includes(status)) return undefined;
  return TO[action] ?? status;
}

export type Verdict = { ok: true; next: WorkOrderStatus } | { ok: false; status: 403 | 404 | 409; reason: string };

/**
 * May `p` do `action` on the order? Checked in this order, so nothing leaks: an order `p` may
 * not see is a 404 (as if it did not exist); one it sees but may not act on a 403; an action the
 * order's status does not allow a 409.
 * - assign, close, reopen: supervisors and admins (workorders.manage);
 * - reply (the department's answer): the liaison of the order's department, or workorders.manage;
 * - reply_caller (the center tells the taxpayer): the agent that created the order, or workorders.manage.
 */
export function mayAct(p: Principal, o: OrderFacts, action: Action): Verdict {
  if (!canSee(p, o)) return { ok: false, status: 404, reason: 'no such work order' };
  const manage = grants(p.role, 'workorders.manage');
  const allowed =
    manage ||
    (action === 'reply' && p.role === 'liaison' && p.department !== undefined && p.department === o.department) ||
    (action === 'reply_caller' && p.role === 'agent' && o.createdBy === p.id);
  if (!allowed) return { ok: false, status: 403, reason: `role ${p.role} may not ${action} this work order` };
  const next = nextStatus(o.status, action);
  if (!next) return { ok: false, status: 409, reason: `a ${o.status} work order cannot ${action}` };
  return { ok: true, next };
}

/** Who creates orders: the center's people (agents, supervisors, admins), never a department's liaison. */
export function mayCreate(p: Principal): boolean {
  return grants(p.role, 'workorders') && p.role !== 'liaison';
}

export interface NewOrderInput {
  type: string;
  aboutStaff?: boolean;
  title: string;
  content: string;
  /** Made from a call: the call (and its summary) is the record, so the content may be empty. */
  fromCall?: boolean;
}

/** What is wrong with a new order's facts (beyond the route's schema), each problem at its field. */
export function newOrderProblems(o: NewOrderInput): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!(WORK_ORDER_TYPES as readonly string[]).includes(o.type)) out.push({ path: '/type', message: `unknown type ${o.type}` });
  if (o.aboutStaff && o.type !== 'complaint') out.push({ path: '/aboutStaff', message: 'only a complaint (投诉) can be about staff' });
  if (!o.title.trim()) out.push({ path: '/title', message: 'a title is required' });
  if (!o.content.trim() && !o.fromCall) out.push({ path: '/content', message: 'content is required for an order made by hand' });
  return out;
}

export type { WorkOrderType };
