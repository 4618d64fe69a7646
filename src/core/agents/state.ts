/**
 * Agent presence states and which moves between them are allowed.
 * The Redis store applies a move atomically only if the agent is still in one of `from`.
 */
export const AGENT_STATES = ['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'] as const;
export type AgentState = (typeof AGENT_STATES)[number];
export const isAgentState = (s: string): s is AgentState => (AGENT_STATES as readonly string[]).includes(s);

export interface Move {
  from: readonly AgentState[];
  to: AgentState;
}

export const moves = {
  login: { from: ['logged_out'], to: 'available' },
  logout: { from: ['available', 'paused', 'wrap_up'], to: 'logged_out' },
  reserve: { from: ['available'], to: 'reserved' },
  answer: { from: ['reserved'], to: 'on_call' },
  /** The offered call was not answered (no answer, busy, unreachable) or was withdrawn. */
  unreserve: { from: ['reserved'], to: 'available' },
  hangup: { from: ['on_call'], to: 'available' },
  hangupToWrapUp: { from: ['on_call'], to: 'wrap_up' },
  endWrapUp: { from: ['wrap_up'], to: 'available' },
  pause: { from: ['available', 'wrap_up'], to: 'paused' },
  /** An offer rang out once too often: the agent is paused straight from ringing, never offered another call first. */
  missPause: { from: ['reserved'], to: 'paused' },
  unpause: { from: ['paused'], to: 'available' },
} as const satisfies Record<string, Move>;

export type MoveName = keyof typeof moves;

/** An agent can be offered a call only when available and its phone is registered. */
export function offerable(a: { state: AgentState; registered: boolean }): boolean {
  return a.state === 'available' && a.registered;
}
