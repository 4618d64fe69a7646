/**
 * The wallboard's data as /api/live sends it (features/live/snapshot.ts), and the pure steps from
 * one message to what the page draws. A message comes every second with every agent: unchanged
 * agents and queues keep the very objects they had, so their memoized rows and tiles skip render.
 */

export type AgentState = 'logged_out' | 'available' | 'reserved' | 'on_call' | 'wrap_up' | 'paused';

export interface AgentRow {
  agentId: string;
  name: string;
  state: AgentState;
  registered: boolean;
  pauseReason: string | null;
  /** ms since the epoch, the server's clock. */
  since: number;
  callId: string | null;
  caller: string | null;
  callQueue: string | null;
  queues: string[];
}

export interface TodayLine {
  queue: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
  abandonRate: number | null;
}

export interface LiveMessage {
  at: string;
  today?: TodayLine[];
  queues: Array<{ queue: string; waiting: number; callbacksWaiting: number; longestWaitS: number | null; serving?: number }>;
  agents: Record<string, number>;
  paused: Record<string, number>;
  agentRows?: AgentRow[];
}

/** One queue's tile: now (waiting, longest wait, serving) and today (service level, abandon rate). */
export interface QueueView {
  queue: string;
  waiting: number;
  callbacksWaiting: number;
  longestWaitS: number | null;
  serving: number;
  offered: number;
  serviceLevel: number | null;
  abandonRate: number | null;
}

export const STATES: readonly AgentState[] = ['available', 'reserved', 'on_call', 'wrap_up', 'paused', 'logged_out'];

/** Names as a center says them. */
export const STATE_NAMES: Record<AgentState, [zh: string, en: string]> = {
  available: ['空闲', 'Available'],
  reserved: ['振铃', 'Ringing'],
  on_call: ['通话中', 'On call'],
  wrap_up: ['话后处理', 'Wrap-up'],
  paused: ['示忙', 'Paused'],
  logged_out: ['已签出', 'Logged out'],
};

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function sameAgent(a: AgentRow, b: AgentRow): boolean {
  return (
    a.state === b.state &&
    a.registered === b.registered &&
    a.since === b.since &&
    a.pauseReason === b.pauseReason &&
    a.callId === b.callId &&
    a.caller === b.caller &&
    a.callQueue === b.callQueue &&
    a.name === b.name &&
    sameList(a.queues, b.queues)
  );
}

/** The new rows, each unchanged one replaced by the object it had before; `changed` counts the others. */
export function mergeAgents(
  prev: ReadonlyMap<string, AgentRow>,
  next: readonly AgentRow[],
): { rows: AgentRow[]; byId: Map<string, AgentRow>; changed: number } {
  const byId = new Map<string, AgentRow>();
  let changed = 0;
  const rows = next.map((r) => {
    const old = prev.get(r.agentId);
    const kept = old && sameAgent(old, r) ? old : r;
    if (kept !== old) changed++;
    byId.set(r.agentId, kept);
    return kept;
  });
  if (prev.size !== byId.size) changed += Math.max(0, prev.size - byId.size);
  return { rows, byId, changed };
}

function sameQueue(a: QueueView, b: QueueView): boolean {
  return (
    a.waiting === b.waiting &&
    a.callbacksWaiting === b.callbacksWaiting &&
    a.longestWaitS === b.longestWaitS &&
    a.serving === b.serving &&
    a.offered === b.offered &&
    a.serviceLevel === b.serviceLevel &&
    a.abandonRate === b.abandonRate
  );
}

/**
 * The tiles, in queue order, from the queues now and today's figures; unchanged tiles keep their
 * objects. `configured`: the routing's queues, shown (calm) before any caller reached them.
 */
export function mergeQueues(
  prev: ReadonlyMap<string, QueueView>,
  m: LiveMessage,
  configured: readonly string[] = [],
): { views: QueueView[]; byQueue: Map<string, QueueView> } {
  const today = new Map<string, TodayLine>();
  for (const t of m.today ?? []) if (t.queue !== null) today.set(t.queue, t);
  const byQueue = new Map<string, QueueView>();
  const seen = new Set(m.queues.map((q) => q.queue));
  // Serving, as the server counts it (agent-mirror.ts serves): logged in, phone registered, the queue theirs.
  const serving = (queue: string) =>
    (m.agentRows ?? []).reduce((n, a) => (a.state !== 'logged_out' && a.registered && a.queues.includes(queue) ? n + 1 : n), 0);
  const quiet = configured
    .filter((q) => !seen.has(q))
    .map((queue) => ({ queue, waiting: 0, callbacksWaiting: 0, longestWaitS: null, serving: serving(queue) }));
  const views = [...m.queues, ...quiet]
    .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0))
    .map((q) => {
      const t = today.get(q.queue);
      const v: QueueView = {
        queue: q.queue,
        waiting: q.waiting,
        callbacksWaiting: q.callbacksWaiting,
        longestWaitS: q.longestWaitS,
        serving: q.serving ?? 0,
        offered: t?.offered ?? 0,
        serviceLevel: t?.serviceLevel ?? null,
        abandonRate: t?.abandonRate ?? null,
      };
      const old = prev.get(q.queue);
      const kept = old && sameQueue(old, v) ? old : v;
      byQueue.set(q.queue, kept);
      return kept;
    });
  return { views, byQueue };
}

export interface AgentFilter {
  /** 'all', or one state. */
  state: AgentState | 'all';
  /** '' for every queue. */
  queue: string;
  /** Matches the id or the name. */
  text: string;
}

export type SortKey = 'state' | 'agentId' | 'name' | 'since';

/**
 * The rows to show: filtered, then sorted. By state, the states in STATES' order and within one
 * the longest in it first (a wallboard's question: who has been paused longest?).
 */
export function visibleAgents(rows: readonly AgentRow[], f: AgentFilter, sort: SortKey): AgentRow[] {
  const text = f.text.trim().toLowerCase();
  const out = rows.filter(
    (r) =>
      (f.state === 'all' || r.state === f.state) &&
      (!f.queue || r.queues.includes(f.queue) || r.callQueue === f.queue) &&
      (!text || r.agentId.includes(text) || r.name.toLowerCase().includes(text)),
  );
  const rank = (s: AgentState) => STATES.indexOf(s);
  const byId = (a: AgentRow, b: AgentRow) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);
  const cmp: Record<SortKey, (a: AgentRow, b: AgentRow) => number> = {
    state: (a, b) => rank(a.state) - rank(b.state) || a.since - b.since || byId(a, b),
    agentId: byId,
    name: (a, b) => a.name.localeCompare(b.name, 'zh-CN') || byId(a, b),
    since: (a, b) => a.since - b.since || byId(a, b),
  };
  return out.sort(cmp[sort]);
}

/** Agents per state, for the filter's counts. */
export function countByState(rows: readonly AgentRow[]): Record<AgentState, number> {
  const n = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  for (const r of rows) n[r.state]++;
  return n;
}
