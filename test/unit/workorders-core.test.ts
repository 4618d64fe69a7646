import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, type Principal } from '../../src/core/auth/access.js';
import { WORK_ORDER_STATUSES, WORK_ORDER_TYPES, type OrderFacts } from '../../src/core/workorders/model.js';
import { canSee, inScope, scopeOf } from '../../src/core/workorders/visibility.js';
import { ACTIONS, mayAct, mayCreate, newOrderProblems, nextStatus } from '../../src/core/workorders/machine.js';
import {
  SLA_WORKING_DAYS,
  dueAt,
  isOverdue,
  isWorkingDay,
  remindAt,
  shanghaiDay,
  slaJobDue,
  slaPlan,
} from '../../src/core/workorders/sla.js';

const DEPTS = ['czj', 'gsj', 'dsj', 'gsj-jcj', 'dsj-jcj', 'bgs'];
const USERS = ['a1', 'a2', 'sup', 'li1'];
const principalArb: fc.Arbitrary<Principal> = fc.record({
  id: fc.constantFrom(...USERS),
  role: fc.constantFrom(...ROLES),
  via: fc.constant('session' as const),
  department: fc.option(fc.constantFrom(...DEPTS), { nil: undefined }),
});
const orderArb: fc.Arbitrary<OrderFacts> = fc
  .record({
    type: fc.constantFrom(...WORK_ORDER_TYPES),
    aboutStaff: fc.boolean(),
    department: fc.option(fc.constantFrom(...DEPTS), { nil: null }),
    createdBy: fc.constantFrom(...USERS),
    status: fc.constantFrom(...WORK_ORDER_STATUSES),
  })
  .map((o) => ({ ...o, aboutStaff: o.type === 'complaint' && o.aboutStaff }));

describe('who sees a work order (core/workorders/visibility.ts)', () => {
  it("a liaison never sees another department's order, nor any complaint about staff", () => {
    fc.assert(
      fc.property(principalArb, orderArb, (p, o) => {
        if (p.role !== 'liaison') return;
        if (canSee(p, o)) {
          expect(o.department).toBe(p.department);
          expect(o.type === 'complaint' && o.aboutStaff).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a liaison sees every order of its own department that is not a staff complaint', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DEPTS), orderArb, (d, o) => {
        const p: Principal = { id: 'li', role: 'liaison', via: 'session', department: d };
        expect(canSee(p, o)).toBe(o.department === d && !(o.type === 'complaint' && o.aboutStaff));
      }),
    );
  });

  it('a liaison without a department sees nothing', () => {
    fc.assert(
      fc.property(orderArb, (o) => {
        expect(canSee({ id: 'x', role: 'liaison', via: 'session' }, o)).toBe(false);
      }),
    );
  });

  it("an agent sees what it created, and of others' orders never a report of a violation or a staff complaint", () => {
    fc.assert(
      fc.property(principalArb, orderArb, (p, o) => {
        if (p.role !== 'agent') return;
        const sensitive = o.type === 'report' || (o.type === 'complaint' && o.aboutStaff);
        expect(canSee(p, o)).toBe(o.createdBy === p.id || !sensitive);
      }),
    );
  });

  it('supervisors and admins see everything; readonly and editors nothing', () => {
    fc.assert(
      fc.property(principalArb, orderArb, (p, o) => {
        if (p.role === 'admin' || p.role === 'supervisor') expect(canSee(p, o)).toBe(true);
        if (p.role === 'readonly' || p.role === 'editor') expect(canSee(p, o)).toBe(false);
      }),
    );
  });

  it('the scope a store filters with is the same rule as canSee', () => {
    fc.assert(
      fc.property(principalArb, orderArb, (p, o) => {
        expect(inScope(scopeOf(p), o)).toBe(canSee(p, o));
      }),
    );
  });
});

describe('the state machine and who may do each step (core/workorders/machine.ts)', () => {
  it('follows new → assigned → replied → closed → reopened → assigned', () => {
    expect(nextStatus('new', 'assign')).toBe('assigned');
    expect(nextStatus('assigned', 'assign')).toBe('assigned');
    expect(nextStatus('assigned', 'reply')).toBe('replied');
    expect(nextStatus('replied', 'reply_caller')).toBe('replied');
    expect(nextStatus('replied', 'close')).toBe('closed');
    expect(nextStatus('closed', 'reopen')).toBe('reopened');
    expect(nextStatus('reopened', 'assign')).toBe('assigned');
    expect(nextStatus('new', 'reply')).toBeUndefined();
    expect(nextStatus('closed', 'close')).toBeUndefined();
    expect(nextStatus('closed', 'reply_caller')).toBeUndefined();
    expect(nextStatus('replied', 'reopen')).toBeUndefined();
  });

  it('an order one may not see is a 404 for every action, never a 403 or 409 that would leak it', () => {
    fc.assert(
      fc.property(principalArb, orderArb, fc.constantFrom(...ACTIONS), (p, o, a) => {
        const v = mayAct(p, o, a);
        if (!canSee(p, o)) expect(v).toMatchObject({ ok: false, status: 404 });
        else expect(v.ok || v.status !== 404).toBe(true);
      }),
    );
  });

  it('only supervisors and admins assign, close and reopen; a reply comes from its department or a supervisor', () => {
    fc.assert(
      fc.property(principalArb, orderArb, fc.constantFrom(...ACTIONS), (p, o, a) => {
        const v = mayAct(p, o, a);
        if (!v.ok) return;
        const manage = p.role === 'admin' || p.role === 'supervisor';
        if (a === 'assign' || a === 'close' || a === 'reopen') expect(manage).toBe(true);
        if (a === 'reply') expect(manage || (p.role === 'liaison' && p.department === o.department)).toBe(true);
        if (a === 'reply_caller') expect(manage || (p.role === 'agent' && o.createdBy === p.id)).toBe(true);
        expect(v.next).toBe(nextStatus(o.status, a));
      }),
    );
  });

  it("the 地税 liaison replies to its department's assigned transfer", () => {
    const p: Principal = { id: 'li', role: 'liaison', via: 'session', department: 'dsj' };
    const o: OrderFacts = { type: 'transfer', aboutStaff: false, department: 'dsj', createdBy: 'a1', status: 'assigned' };
    expect(mayAct(p, o, 'reply')).toEqual({ ok: true, next: 'replied' });
    expect(mayAct(p, { ...o, status: 'replied' }, 'reply')).toMatchObject({ ok: false, status: 409 });
    expect(mayAct(p, o, 'close')).toMatchObject({ ok: false, status: 403 });
    expect(mayAct(p, { ...o, department: 'gsj' }, 'reply')).toMatchObject({ ok: false, status: 404 });
  });

  it('liaisons do not create orders; the center does', () => {
    for (const role of ROLES) expect(mayCreate({ id: 'x', role, via: 'session' })).toBe(['admin', 'supervisor', 'agent'].includes(role));
  });

  it('only a complaint is about staff', () => {
    expect(newOrderProblems({ type: 'report', aboutStaff: true, title: 't', content: 'c' })).toEqual([
      { path: '/aboutStaff', message: 'only a complaint (投诉) can be about staff' },
    ]);
    expect(newOrderProblems({ type: 'complaint', aboutStaff: true, title: 't', content: 'c' })).toEqual([]);
    expect(newOrderProblems({ type: 'transfer', title: ' ', content: 'c' })[0]?.path).toBe('/title');
  });
});

const HOUR = 3_600_000;
/** Instants from 2025 to 2030. */
const instantArb = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2030, 0, 1) });

describe('due times (core/workorders/sla.ts), in Beijing time', () => {
  it('is the end of the Nth working day after the day the clock started, at 24:00 Beijing time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WORK_ORDER_TYPES), instantArb, (type, from) => {
        const due = dueAt(type, from);
        expect(due).toBeGreaterThan(from);
        // 24:00 Beijing = 16:00 UTC
        expect(new Date(due).getUTCHours()).toBe(16);
        expect(new Date(due).getUTCMinutes()).toBe(0);
        const lastDay = shanghaiDay(due - 1);
        expect(isWorkingDay(lastDay)).toBe(true);
        let working = 0;
        for (let d = shanghaiDay(from) + 1; d <= lastDay; d++) if (isWorkingDay(d)) working++;
        expect(working).toBe(SLA_WORKING_DAYS[type]);
      }),
    );
  });

  it('examples: a transfer on Monday 15:00 is due at the end of Wednesday; on Friday, at the end of Tuesday', () => {
    // 2026-12-07 is a Monday; 15:00 Beijing = 07:00 UTC
    expect(new Date(dueAt('transfer', Date.UTC(2026, 11, 7, 7))).toISOString()).toBe('2026-12-09T16:00:00.000Z');
    expect(new Date(dueAt('transfer', Date.UTC(2026, 11, 11, 7))).toISOString()).toBe('2026-12-15T16:00:00.000Z');
    // Saturday 23:30 Beijing (15:30 UTC): Monday is the first working day, so a complaint is due Monday 24:00
    expect(new Date(dueAt('complaint', Date.UTC(2026, 11, 12, 15, 30))).toISOString()).toBe('2026-12-14T16:00:00.000Z');
    // Sunday 00:30 Beijing is Saturday 16:30 UTC: still Sunday in Beijing, so Monday too
    expect(new Date(dueAt('complaint', Date.UTC(2026, 11, 12, 16, 30))).toISOString()).toBe('2026-12-14T16:00:00.000Z');
    expect(new Date(dueAt('suggestion', Date.UTC(2026, 11, 7, 7))).toISOString()).toBe('2026-12-14T16:00:00.000Z');
  });

  it('holidays are skipped and 调休 weekend days count', () => {
    const from = Date.UTC(2026, 11, 7, 7); // Monday
    expect(new Date(dueAt('complaint', from, { holidays: new Set(['2026-12-08']) })).toISOString()).toBe('2026-12-09T16:00:00.000Z');
    const fri = Date.UTC(2026, 11, 11, 7);
    expect(new Date(dueAt('complaint', fri, { workdays: new Set(['2026-12-12']) })).toISOString()).toBe('2026-12-12T16:00:00.000Z');
  });

  it('a longer SLA never ends earlier, and the reminder falls at 75 % of the time, between start and due', () => {
    fc.assert(
      fc.property(instantArb, (from) => {
        const order = (['complaint', 'transfer', 'report', 'suggestion'] as const).map((t) => dueAt(t, from));
        for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]!);
        for (const t of WORK_ORDER_TYPES) {
          const p = slaPlan(t, from);
          expect(p.remindAt).toBeGreaterThan(from);
          expect(p.remindAt).toBeLessThan(p.dueAt);
          expect(Math.abs(p.remindAt - (from + 0.75 * (p.dueAt - from)))).toBeLessThanOrEqual(1);
        }
      }),
    );
    expect(remindAt(0, 4 * HOUR)).toBe(3 * HOUR);
  });

  it('tests may fix the durations', () => {
    expect(slaPlan('transfer', 1000, { durationsMs: { transfer: 400 } })).toEqual({ dueAt: 1400, remindAt: 1300 });
  });

  it('an order is overdue only while open past its due time', () => {
    expect(isOverdue({ status: 'assigned', dueAt: 10 }, 11)).toBe(true);
    expect(isOverdue({ status: 'assigned', dueAt: 10 }, 10)).toBe(false);
    expect(isOverdue({ status: 'replied', dueAt: 10 }, 11)).toBe(false);
    expect(isOverdue({ status: 'closed', dueAt: 10 }, 11)).toBe(false);
  });

  it('a job of an earlier due time, a repeated job, or one for an answered order does nothing', () => {
    const o = { status: 'assigned', slaGeneration: 2, remindedAt: null, escalatedAt: null };
    expect(slaJobDue(o, { kind: 'remind', generation: 2 })).toBe(true);
    expect(slaJobDue(o, { kind: 'escalate', generation: 2 })).toBe(true);
    expect(slaJobDue(o, { kind: 'escalate', generation: 1 })).toBe(false);
    expect(slaJobDue({ ...o, status: 'replied' }, { kind: 'escalate', generation: 2 })).toBe(false);
    expect(slaJobDue({ ...o, remindedAt: 5 }, { kind: 'remind', generation: 2 })).toBe(false);
    expect(slaJobDue({ ...o, escalatedAt: 5 }, { kind: 'escalate', generation: 2 })).toBe(false);
  });
});
