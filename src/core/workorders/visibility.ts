import type { Principal } from '../auth/access.js';
import { grants } from '../auth/access.js';
import { isSensitive, isStaffComplaint, type OrderFacts } from './model.js';

/**
 * Which work orders a principal may see, as a rule a store can turn into a query (the list is
 * filtered in SQL, never after the fact) and `canSee` applies to one order:
 * - `all`: supervisors and admins (workorders.manage);
 * - `department`: a liaison, its own department's orders, never a complaint about staff;
 * - `agent`: an agent, the orders it created, and the others that are not sensitive (a report of a
 *   violation names its informant; a complaint about staff may be about a colleague);
 * - `none`: anyone else (and a liaison without a department, which the database does not allow).
 */
export type Scope = { kind: 'all' } | { kind: 'none' } | { kind: 'department'; department: string } | { kind: 'agent'; createdBy: string };

export function scopeOf(p: Principal): Scope {
  if (grants(p.role, 'workorders.manage')) return { kind: 'all' };
  if (!grants(p.role, 'workorders')) return { kind: 'none' };
  if (p.role === 'liaison') return p.department ? { kind: 'department', department: p.department } : { kind: 'none' };
  if (p.role === 'agent') return { kind: 'agent', createdBy: p.id };
  return { kind: 'none' };
}

export function inScope(s: Scope, o: Pick<OrderFacts, 'type' | 'aboutStaff' | 'department' | 'createdBy'>): boolean {
  switch (s.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'department':
      return o.department === s.department && !isStaffComplaint(o);
    case 'agent':
      return o.createdBy === s.createdBy || !isSensitive(o);
  }
}

/** May `p` see this order at all? An order one may not see does not exist for one (404, never 403). */
export function canSee(p: Principal, o: Pick<OrderFacts, 'type' | 'aboutStaff' | 'department' | 'createdBy'>): boolean {
  return inScope(scopeOf(p), o);
}
