import type { AgentState } from '../../core/agents/state.js';
import { currentLongestWaitMs } from '../../core/metrics/definitions.js';
import type { AgentLive } from '../agents/agent-live-store.js';
import type { QueueStore } from '../routing/queue-store.js';

/** "Today so far" for one queue (or all, queue null): the reports' own figures for today. */
export interface TodayLine {
  queue: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  asaMs: number | null;
  abandonRate: number | null;
  longestWaitMs: number | null;
}

export interface LiveSnapshot {
  at: string;
  today?: TodayLine[];
  queues: Array<{ queue: string; waiting: number; callbacksWaiting: number; longestWaitS: number | null }>;
  agents: Record<AgentState, number>;
  /** Paused agents by reason (培训, 会议, 文书, 休息, 未接...). */
  paused: Record<string, number>;
}

const STATES: AgentState[] = ['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'];

/**
 * "Now" for wallboards: calls waiting and the longest wait per queue, read from the shared live
 * state (all instances), and agents per state from `agents` (every agent, a second old at most:
 * features/agents/agent-mirror.ts). Longest wait uses the same definition as the reports
 * (core/metrics/definitions.ts).
 */
export async function liveSnapshot(
  queueStore: Pick<QueueStore, 'queues' | 'waitingDetails'>,
  agentList: readonly AgentLive[],
  now: number,
): Promise<LiveSnapshot> {
  const queues: LiveSnapshot['queues'] = [];
  for (const queue of await queueStore.queues()) {
    const w = await queueStore.waitingDetails(queue);
    const callers = w.filter((x) => x.kind !== 'callback');
    const longest = currentLongestWaitMs(
      callers.map((x) => x.enqueuedAt),
      now,
    );
    queues.push({
      queue,
      waiting: callers.length,
      callbacksWaiting: w.length - callers.length,
      longestWaitS: longest === null ? null : Math.round(longest / 1000),
    });
  }
  const agents = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  const paused: Record<string, number> = {};
  for (const a of agentList) {
    agents[a.state] = (agents[a.state] ?? 0) + 1;
    if (a.state === 'paused') paused[a.pauseReason ?? 'unknown'] = (paused[a.pauseReason ?? 'unknown'] ?? 0) + 1;
  }
  return { at: new Date(now).toISOString(), queues, agents, paused };
}
