import type { Principal } from '../../../../src/core/auth/access';
import { mayAct, type Action } from '../../../../src/core/workorders/machine';
import type { WorkOrderStatus, WorkOrderType } from '../../../../src/core/workorders/model';

/** An order as GET /api/workorders answers it. */
export interface WorkOrderView {
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
  createdAt: string;
  updatedAt: string;
  dueAt: string;
  overdue: boolean;
  remindedAt: string | null;
  escalatedAt: string | null;
  repliedAt: string | null;
  callerRepliedAt: string | null;
  closedAt: string | null;
}

export interface StepView {
  at: string;
  kind: string;
  actor: string;
  department: string | null;
  note: string | null;
}

export interface Department {
  code: string;
  name: string;
  nameEn: string;
  active: boolean;
}

export const TYPE_NAMES: Record<WorkOrderType, [string, string]> = {
  transfer: ['转办', 'Hand-over'],
  complaint: ['投诉', 'Complaint'],
  report: ['举报', 'Report'],
  suggestion: ['建议', 'Suggestion'],
};
export const TYPE_COLORS: Record<WorkOrderType, string> = { transfer: 'blue', complaint: 'orange', report: 'magenta', suggestion: 'cyan' };

export const STATUS_NAMES: Record<WorkOrderStatus, [string, string]> = {
  new: ['待分派', 'New'],
  assigned: ['待答复', 'Assigned'],
  replied: ['已答复', 'Replied'],
  closed: ['已办结', 'Closed'],
  reopened: ['已重开', 'Reopened'],
};
export const STATUS_COLORS: Record<WorkOrderStatus, string> = {
  new: 'default',
  assigned: 'processing',
  replied: 'success',
  closed: 'default',
  reopened: 'warning',
};

export const STEP_NAMES: Record<string, [string, string]> = {
  created: ['创建', 'Created'],
  assigned: ['分派', 'Assigned'],
  replied: ['部门答复', 'Department replied'],
  caller_replied: ['回复来电人', 'Caller answered'],
  reminded: ['到期提醒', 'Reminder'],
  escalated: ['超时升级', 'Escalated'],
  closed: ['办结', 'Closed'],
  reopened: ['重开', 'Reopened'],
};

/** The principal the API sees for this session, for the same decisions on the page. */
export function principalOf(me: { id: string; role: Principal['role']; agentId: string | null; department?: string | null }): Principal {
  return {
    id: me.id,
    role: me.role,
    via: 'session',
    ...(me.agentId ? { agentId: me.agentId } : {}),
    ...(me.department ? { department: me.department } : {}),
  };
}

/** The buttons to show on an order: exactly what core/workorders/machine.ts lets the API accept. */
export function actionsFor(p: Principal, o: Pick<WorkOrderView, 'type' | 'aboutStaff' | 'department' | 'createdBy' | 'status'>) {
  const ok = (a: Action) => mayAct(p, o, a).ok;
  return { assign: ok('assign'), reply: ok('reply'), replyCaller: ok('reply_caller'), close: ok('close'), reopen: ok('reopen') };
}

/** A department's name in the page's language; its code if unknown; '—' for none. */
export function departmentName(departments: Department[], code: string | null, lang: 'zh' | 'en'): string {
  if (!code) return '—';
  const d = departments.find((x) => x.code === code);
  return d ? (lang === 'zh' ? d.name : d.nameEn) : code;
}

/**
 * A due time in Beijing time. Orders fall due at the end of a working day (core/workorders/sla.ts),
 * i.e. at 00:00 of the next day: shown as 24:00 of the day it belongs to ("2026/12/09 24:00").
 */
export function formatDue(iso: string, formatDateTime: (t: string) => string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return formatDateTime(iso);
  const beijing = new Date(t + 8 * 3_600_000);
  if (beijing.getUTCHours() || beijing.getUTCMinutes() || beijing.getUTCSeconds()) return formatDateTime(iso);
  return `${formatDateTime(new Date(t - 1000).toISOString()).slice(0, 10)} 24:00`;
}

/** A span of time in days, hours and minutes ("1天3小时", "2 h 5 min"), for times to reply. */
export function formatSpan(seconds: number | null | undefined, lang: 'zh' | 'en'): string {
  if (seconds == null || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return lang === 'zh' ? '不到1分钟' : 'under 1 min';
  const m = Math.round(Math.max(0, seconds) / 60);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  if (lang === 'zh') return [d && `${d}天`, h && `${h}小时`, (min || (!d && !h)) && `${min}分钟`].filter(Boolean).join('');
  return [d && `${d} d`, h && `${h} h`, (min || (!d && !h)) && `${min} min`].filter(Boolean).join(' ');
}

/** What a new order from a call starts with: the caller, and the call's summary if the desktop has one. */
export function prefillContent(call: { caller: string; summary?: string | null }, lang: 'zh' | 'en'): string {
  const lines = [lang === 'zh' ? `来电号码：${call.caller}` : `Caller: ${call.caller}`];
  if (call.summary) lines.push(lang === 'zh' ? `来电小结：${call.summary}` : `Call summary: ${call.summary}`);
  return `${lines.join('\n')}\n`;
}
