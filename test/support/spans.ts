import { api } from './ivr.js';
import type { TestRig } from './service.js';

/**
 * When the test asked for a change and when the answer came back. The service stamps the
 * change (Date.now(), in this same process) somewhere in between, so a span between two
 * changes is known to within these bounds without reading the service's own records.
 */
export interface Stamp {
  t0: number;
  t1: number;
}

/** POST /api/agents/:id/<action> through the ops API, timed; fails on anything but 200. */
export async function agentAction(rig: TestRig, agentId: string, action: string, body?: unknown): Promise<Stamp> {
  const t0 = Date.now();
  const r = await api(rig, 'POST', `/api/agents/${agentId}/${action}`, body);
  const t1 = Date.now();
  if (r.status !== 200) throw new Error(`${action} ${agentId}: ${r.status} ${JSON.stringify(r.body)}`);
  return { t0, t1 };
}

/** A span opened by one stamped change and closed by another. */
export interface StampedSpan {
  from: Stamp;
  to: Stamp;
}

const overlap = (s: number, e: number, ws: number, we: number) => Math.max(0, Math.min(e, we) - Math.max(s, ws));

/** Least and most time the spans can have spent inside [ws, we) (all time when no window). */
export function spanBounds(spans: readonly StampedSpan[], ws = -Infinity, we = Infinity): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const s of spans) {
    min += overlap(s.from.t1, s.to.t0, ws, we);
    max += overlap(s.from.t0, s.to.t1, ws, we);
  }
  return { min, max };
}
