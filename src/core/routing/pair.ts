/**
 * Which waiting call goes to which idle agent, decided in one place.
 * Calls arrive ordered (priority, then longest waiting); agents ordered longest-idle first.
 * Each call and each agent appears in at most one pair.
 */
export interface WaitingCall {
  callId: string;
}
export interface IdleAgent {
  agentId: string;
  idleSince: number;
}

export function pairCallsWithAgents<C extends WaitingCall, A extends IdleAgent>(
  calls: readonly C[],
  agents: readonly A[],
): Array<{ call: C; agent: A }> {
  const byIdle = [...agents].sort((a, b) => a.idleSince - b.idleSince || a.agentId.localeCompare(b.agentId));
  const n = Math.min(calls.length, byIdle.length);
  const pairs: Array<{ call: C; agent: A }> = [];
  for (let i = 0; i < n; i++) pairs.push({ call: calls[i]!, agent: byIdle[i]! });
  return pairs;
}
