/**
 * "No agent idle while a caller waits", measured: over time, how many agents were free while
 * callers were waiting, as agent-milliseconds. At any instant the waste is min(free agents,
 * waiting callers): one free agent and five waiting callers is one agent wasted, not five.
 */
export interface Span {
  start: number;
  end: number;
}

export interface IdleWhileWaiting {
  /** Agent-milliseconds an agent was free while a caller waited. */
  agentMs: number;
  /** Milliseconds during which at least one caller waited. */
  waitingMs: number;
}

/**
 * waits: each caller from entering the queue to its first agent being dialled (or it leaving).
 * busy: each agent's spans from being dialled to its channel ending. agents: how many serve.
 */
export function idleWhileWaiting(waits: readonly Span[], busy: readonly Span[], agents: number): IdleWhileWaiting {
  const points: Array<[at: number, waiting: number, busy: number]> = [];
  for (const w of waits) if (w.end > w.start) points.push([w.start, 1, 0], [w.end, -1, 0]);
  for (const b of busy) if (b.end > b.start) points.push([b.start, 0, 1], [b.end, 0, -1]);
  // Ends before starts at the same instant: a caller dialled the moment an agent frees wastes nothing.
  points.sort((a, b) => a[0] - b[0] || a[1] + a[2] - (b[1] + b[2]));
  let waiting = 0;
  let inUse = 0;
  let last = points[0]?.[0] ?? 0;
  let agentMs = 0;
  let waitingMs = 0;
  for (const [at, dw, db] of points) {
    const dt = at - last;
    if (waiting > 0) {
      waitingMs += dt;
      agentMs += dt * Math.min(Math.max(0, agents - inUse), waiting);
    }
    waiting += dw;
    inUse += db;
    last = at;
  }
  return { agentMs, waitingMs };
}
