/**
 * The recordings page's pure parts: the list's query from the filters (Beijing days to instants),
 * and the names users read for outcomes, kinds and hold reasons.
 */
import { HOLD_NOTE_MAX, HOLD_REF_PATTERN } from '../../../../src/core/recordings/access';
import { query } from '../../lib/api';
import type { HoldReason, Recording } from './types';

export interface RecordingFilters {
  /** Beijing days YYYY-MM-DD, both included. */
  from: string;
  to: string;
  caller?: string;
  agentId?: string;
  queue?: string;
  outcome?: string;
}

/** The first instant of a Beijing day (China keeps no daylight saving: always +08:00). */
export function beijingDayStart(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString();
}

/** The first instant after a Beijing day: the list's `to` is exclusive, the picker's day inclusive. */
export function beijingDayEnd(day: string): string {
  return new Date(new Date(`${day}T00:00:00+08:00`).getTime() + 86_400_000).toISOString();
}

/**
 * The list's query: the conversations (the mix), not the per-party legs a queue may record as well.
 * No `limit`: the API's page of 50 is the page's.
 */
export function recordingsUrl(f: RecordingFilters, cursor?: string): string {
  return `/api/recordings${query({
    from: beijingDayStart(f.from),
    to: beijingDayEnd(f.to),
    caller: f.caller?.trim(),
    agentId: f.agentId?.trim(),
    queue: f.queue?.trim(),
    outcome: f.outcome,
    kind: 'mix',
    cursor,
  })}`;
}

/** The call outcomes of core/events.ts, as the center names them. */
export const OUTCOMES: Record<string, [zh: string, en: string]> = {
  answered: ['已接听', 'Answered'],
  abandoned: ['放弃', 'Abandoned'],
  voicemail: ['留言', 'Voicemail'],
  transferred: ['已转接', 'Transferred'],
  ended_in_ivr: ['语音导航中结束', 'Ended in the IVR'],
  rejected: ['拒接', 'Rejected'],
  callback_requested: ['预约回拨', 'Callback requested'],
};

export const KINDS: Record<Recording['kind'], [zh: string, en: string]> = {
  mix: ['双方混音', 'Both parties'],
  caller: ['来电人', 'Caller leg'],
  agent: ['坐席', 'Agent leg'],
};

export const HOLD_REASONS: Record<HoldReason, [zh: string, en: string]> = {
  complaint: ['投诉', 'Complaint'],
  workorder: ['工单', 'Work order'],
};

/** "1.2 MB" for a file size; "—" for none. */
export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export { HOLD_NOTE_MAX };
const HOLD_REF = new RegExp(HOLD_REF_PATTERN);

/** A hold's reference, by the API's own rule: 1..64 of letters, digits and _ . : - */
export function holdRefProblem(ref: string): [zh: string, en: string] | null {
  const r = ref.trim();
  if (!r) return ['请填写投诉编号或工单号', 'Enter the complaint number or work order id'];
  if (r.length > 64) return ['编号最多 64 个字符', 'At most 64 characters'];
  if (!HOLD_REF.test(r)) return ['编号仅限字母、数字及 _ . : -', 'Only letters, digits and _ . : -'];
  return null;
}

/** The audio's URL: a plain link, so the session cookie goes with the player's range requests. */
export const audioUrl = (id: string) => `/api/recordings/${encodeURIComponent(id)}/audio`;
