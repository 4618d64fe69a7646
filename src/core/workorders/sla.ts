import type { WorkOrderType } from './model.js';

/**
 * Due times (SLA) per type, in working days of the center (Asia/Shanghai):
 * - 举报 report of a violation: 3 (the inspection bureau checks before it answers);
 * - 转办 hand-over of a question: 2;
 * - 投诉 complaint: 1 (a complaint waits least);
 * - 建议 suggestion: 5.
 * An order is due at the END of its Nth working day after the day its clock started (creation,
 * each assignment, a reopening: core/workorders/machine.ts), i.e. at 24:00 Beijing time, so a
 * hand-over made on Monday afternoon is due at the end of Wednesday, one made on Friday or
 * Saturday at the end of Tuesday. Working days: Monday to Friday, minus `holidays`, plus the
 * weekend days `workdays` (调休) of the calendar given.
 */
export const SLA_WORKING_DAYS: Readonly<Record<WorkOrderType, number>> = { transfer: 2, complaint: 1, report: 3, suggestion: 5 };

/** The department is reminded when this much of the time to the due time has passed. */
export const REMINDER_FRACTION = 0.75;

const DAY_MS = 86_400_000;
/** Beijing time has been UTC+8 all year since 1991 (no summer time). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export interface SlaCalendar {
  /** Weekdays off, 'YYYY-MM-DD' in Beijing time (国庆, 春节 …). */
  holidays?: ReadonlySet<string>;
  /** Weekend days worked (调休), 'YYYY-MM-DD'. */
  workdays?: ReadonlySet<string>;
}

export interface SlaOptions extends SlaCalendar {
  /** Tests only: a fixed duration per type in ms instead of working days. */
  durationsMs?: Partial<Record<WorkOrderType, number>>;
}

/** The Beijing-time calendar day (days since 1970-01-01) of an instant. */
export function shanghaiDay(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** 'YYYY-MM-DD' of a Beijing-time calendar day. */
export function dayName(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(day: number, cal: SlaCalendar = {}): boolean {
  const name = dayName(day);
  if (cal.workdays?.has(name)) return true;
  if (cal.holidays?.has(name)) return false;
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday (4); 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

/** When an order of `type` whose clock started at `from` is due. */
export function dueAt(type: WorkOrderType, from: number, o: SlaOptions = {}): number {
  const fixed = o.durationsMs?.[type];
  if (fixed !== undefined) return from + fixed;
  let day = shanghaiDay(from);
  for (let left = SLA_WORKING_DAYS[type]; left > 0;) {
    day += 1;
    if (isWorkingDay(day, o)) left -= 1;
  }
  // The end of that day in Beijing time: the next day's 00:00 there.
  return (day + 1) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** When the department is reminded of an order started at `from` and due at `due`. */
export function remindAt(from: number, due: number): number {
  return from + Math.floor((due - from) * REMINDER_FRACTION);
}

export interface SlaPlan {
  dueAt: number;
  remindAt: number;
}

export function slaPlan(type: WorkOrderType, from: number, o: SlaOptions = {}): SlaPlan {
  const due = dueAt(type, from, o);
  return { dueAt: due, remindAt: remindAt(from, due) };
}

/** Overdue: past its due time and not yet replied to or closed. */
export function isOverdue(o: { status: string; dueAt: number }, now: number): boolean {
  return (o.status === 'new' || o.status === 'assigned' || o.status === 'reopened') && now > o.dueAt;
}

/**
 * What an SLA job finds when it fires: whether it still has something to do. A job of an earlier
 * due time (generation), or for an order already replied to or closed, does nothing.
 */
export function slaJobDue(
  o: { status: string; slaGeneration: number; remindedAt: number | null; escalatedAt: number | null },
  job: { kind: 'remind' | 'escalate'; generation: number },
): boolean {
  if (job.generation !== o.slaGeneration) return false;
  if (o.status !== 'new' && o.status !== 'assigned' && o.status !== 'reopened') return false;
  return job.kind === 'remind' ? o.remindedAt === null && o.escalatedAt === null : o.escalatedAt === null;
}
