/**
 * The agent desktop's small rules, without React: state names and colours, which buttons each
 * state allows (the moves of src/core/agents/state.ts), and how the pop's times and outcomes read.
 */
export type AgentState = 'logged_out' | 'available' | 'reserved' | 'on_call' | 'wrap_up' | 'paused';

export const STATE_NAMES: Record<AgentState, [zh: string, en: string]> = {
  logged_out: ['未登录', 'Logged out'],
  available: ['空闲', 'Available'],
  reserved: ['来电振铃', 'Ringing'],
  on_call: ['通话中', 'On a call'],
  wrap_up: ['话后处理', 'Wrap-up'],
  paused: ['示忙', 'Paused'],
};

/** Ant Design tag colours: green ready, blue busy with a caller, orange not taking calls. */
export const STATE_COLORS: Record<AgentState, string> = {
  logged_out: 'default',
  available: 'green',
  reserved: 'magenta',
  on_call: 'blue',
  wrap_up: 'purple',
  paused: 'orange',
};

export interface Actions {
  login: boolean;
  available: boolean;
  pause: boolean;
  endWrapUp: boolean;
  logout: boolean;
}

/** What the agent may do from a state: exactly the moves the service would accept (no click that can only be refused). */
export function actionsFor(state: AgentState): Actions {
  return {
    login: state === 'logged_out',
    available: state === 'paused',
    pause: state === 'available' || state === 'wrap_up',
    endWrapUp: state === 'wrap_up',
    logout: state === 'available' || state === 'paused' || state === 'wrap_up',
  };
}

const OUTCOMES: Record<string, [zh: string, en: string]> = {
  answered: ['已接听', 'Answered'],
  abandoned: ['放弃', 'Abandoned'],
  voicemail: ['留言', 'Voicemail'],
  transferred: ['已转接', 'Transferred'],
  ended_in_ivr: ['语音导航内结束', 'Ended in IVR'],
  rejected: ['未能排队', 'Turned away'],
};

/** An earlier call's outcome in words; a call still going has none yet. */
export function outcomeName(outcome: string | null): [zh: string, en: string] {
  if (outcome === null) return ['进行中', 'In progress'];
  return OUTCOMES[outcome] ?? [outcome, outcome];
}

/** The keys the caller pressed, "2 → 1", or "—" when they pressed none. */
export function keysLabel(keys: readonly string[]): string {
  return keys.length ? keys.join(' → ') : '—';
}

/**
 * Seconds the caller waited in the queue: until an agent answered, or until now (server time)
 * while still ringing. Null when the caller never queued.
 */
export function waitSeconds(pop: { queuedAt: number | null; answeredAt: number | null }, serverNow: number): number | null {
  if (pop.queuedAt === null) return null;
  return Math.max(0, ((pop.answeredAt ?? serverNow) - pop.queuedAt) / 1000);
}

/** Seconds in the current state, on the server's clock (the page corrects its own by the frame's time). */
export function secondsInState(since: number | null, serverNow: number): number | null {
  return since === null ? null : Math.max(0, (serverNow - since) / 1000);
}

/** How long to wait before the n-th reconnect of the channel: 0.5 s doubling, at most 10 s. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}
