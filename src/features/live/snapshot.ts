import type { AgentState } from '../../core/agents/state.js';
import { currentLongestWaitMs } from '../../core/metrics/definitions.js';
import type { AgentLive } from '../agents/agent-live-store.js';
import { serves } from '../agents/agent-mirror.js';
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

/** One agent as a wallboard shows it. */
export interface AgentRow {
  agentId: string;
  name: string;
  state: AgentState;
  /** Whether its phone is registered (logged in without one, it is offered nothing). */
  registered: boolean;
  /** The pause reason's code while paused (its names: GET /api/pause-reasons), else null. */
  pauseReason: string | null;
  /** When the agent entered this state (ms since the epoch). */
  since: number;
  /** The call it is ringing for, on, or wrapping up; null if none. */
  callId: string | null;
  /** That call's caller number and queue, while the call's session is still held (null otherwise). */
  caller: string | null;
  callQueue: string | null;
  /** Queues this agent serves. */
  queues: string[];
}

export interface LiveSnapshot {
  at: string;
  today?: TodayLine[];
  queues: Array<{
    queue: string;
    waiting: number;
    callbacksWaiting: number;
    longestWaitS: number | null;
    /** Agents logged in with a registered phone who serve the queue (features/agents/agent-mirror.ts serves). */
    serving: number;
  }>;
  agents: Record<AgentState, number>;
  /** Paused agents by reason (培训, 会议, 文书, 休息, 未接...). */
  paused: Record<string, number>;
  /** Every agent, in id order. */
  agentRows: AgentRow[];
}

/** What a wallboard needs of a call an agent is on: from its session snapshot (features/calls/session-store.ts). */
export interface CallFacts {
  caller?: string;
  route?: { queue?: string };
}

/** Ringing for, on, or wrapping up a call: the only states whose call id is the agent's current call. */
const currentCall = (a: AgentLive) => !!a.callId && (a.state === 'reserved' || a.state === 'on_call' || a.state === 'wrap_up');

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
  /** The calls' facts by id, read in one go (SessionStore.many); a call missing there shows no caller. */
  callFacts: (callIds: string[]) => Promise<Map<string, CallFacts>> = async () => new Map(),
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
      serving: agentList.reduce((n, a) => (serves(a, queue) ? n + 1 : n), 0),
    });
  }
  const agents = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<AgentState, number>;
  const paused: Record<string, number> = {};
  for (const a of agentList) {
    agents[a.state] = (agents[a.state] ?? 0) + 1;
    if (a.state === 'paused') paused[a.pauseReason ?? 'unknown'] = (paused[a.pauseReason ?? 'unknown'] ?? 0) + 1;
  }
  const callIds = agentList.flatMap((a) => (currentCall(a) ? [a.callId!] : []));
  // The caller's number is nice to have: a failed read shows the rows without it.
  const facts = await callFacts(callIds).catch(() => new Map<string, CallFacts>());
  const agentRows = agentList.map((a): AgentRow => {
    const callId = currentCall(a) ? a.callId! : null;
    const call = callId ? facts.get(callId) : undefined;
    return {
      agentId: a.agentId,
      name: a.profile.name,
      state: a.state,
      registered: a.registered,
      pauseReason: a.state === 'paused' ? (a.pauseReason ?? null) : null,
      since: a.since,
      callId,
      caller: call?.caller ?? null,
      callQueue: call?.route?.queue ?? null,
      queues: a.profile.queues,
    };
  });
  return { at: new Date(now).toISOString(), queues, agents, paused, agentRows };
}
