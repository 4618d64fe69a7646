/** The audit page's filters as the API's query (GET /api/audit), and its entries made readable. */

export interface AuditFilters {
  actor?: string;
  /** An action ("agent.update") or its area ("agent"). */
  action?: string;
  targetKind?: string;
  targetId?: string;
  /** Beijing wall-clock times, "YYYY-MM-DD HH:mm:ss" (or "YYYY-MM-DD"), as the pickers show them. */
  from?: string;
  to?: string;
}

/** "2026-12-07 09:30:00" read as Beijing time → an ISO instant, whatever the browser's zone. */
export function beijingToIso(wall: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(wall.trim());
  if (!m) throw new Error(`not a date and time: ${wall}`);
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}+08:00`).toISOString();
}

/** The query parameters for one page of the log; empty filters are left out. */
export function auditParams(f: AuditFilters, page: { beforeId?: string; limit: number }): Record<string, string> {
  const out: Record<string, string> = {};
  const text = (k: 'actor' | 'action' | 'targetKind' | 'targetId') => {
    const v = f[k]?.trim();
    if (v) out[k] = k === 'action' || k === 'targetKind' ? v.toLowerCase() : v;
  };
  text('actor');
  text('action');
  text('targetKind');
  text('targetId');
  if (f.from) out.from = beijingToIso(f.from);
  if (f.to) out.to = beijingToIso(f.to);
  if (page.beforeId) out.beforeId = page.beforeId;
  out.limit = String(page.limit);
  return out;
}

/** Before/after as indented JSON; "—" for nothing (a creation has no before, a deletion no after). */
export function prettyJson(v: unknown): string {
  return v === null || v === undefined ? '—' : JSON.stringify(v, null, 2);
}

/**
 * The fields that changed between before and after (top level), for the row's one-line summary:
 * "skills, queues". Both objects: the keys whose JSON differs; otherwise nothing.
 */
export function changedKeys(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
