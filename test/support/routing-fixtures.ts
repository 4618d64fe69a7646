import type { Agent, QueueRules, WaitingCall } from '../../src/core/routing/model.js';

/** Plain routing values for core tests: one queue `q`, times around T0. */
export const T0 = 1_700_000_000_000;

export function agent(agentId: string, over: Partial<Agent> = {}): Agent {
  return { agentId, state: 'available', registered: true, skills: {}, queues: ['q'], idleSince: T0 - 60_000, callsHandled: 0, ...over };
}

export function call(callId: string, over: Partial<WaitingCall> = {}): WaitingCall {
  return { callId, queue: 'q', skills: {}, priority: 0, enqueuedAt: T0, caller: '13800000000', ...over };
}

export function queue(over: Partial<QueueRules> = {}): QueueRules {
  return {
    queue: 'q',
    strategy: 'longest_idle',
    preferredAgentS: 10,
    steps: [{ afterS: 0, skills: 'inherit' }],
    wrapUpS: 10,
    ringTimeoutS: 20,
    noAnswerPauseAfter: 1,
    ...over,
  };
}
