/**
 * Supervision of a live call (listen 监听 / whisper 耳语 / barge 强插), decided without I/O.
 *
 * The supervisor's own phone is bridged with a snoop channel on the AGENT's leg: the snoop hears
 * both directions of that leg (the caller and the agent), and what the supervisor says is
 * whispered into it in the directions the mode allows:
 *   listen:  nowhere            — hears both, heard by none
 *   whisper: 'out' of the leg   — the agent hears it (what the agent's phone receives), the caller does not
 *   barge:   'both'             — into the leg's outgoing audio (the agent) and its incoming audio,
 *                                 which the call's bridge mixes to the caller: a three-way call
 * The call's own bridge is never touched: joining, switching and leaving cannot disturb it.
 */
export const SUPERVISION_MODES = ['listen', 'whisper', 'barge'] as const;
export type SupervisionMode = (typeof SUPERVISION_MODES)[number];

export interface SnoopParams {
  spy: 'both';
  whisper: 'none' | 'out' | 'both';
}

export function snoopFor(mode: SupervisionMode): SnoopParams {
  switch (mode) {
    case 'listen':
      return { spy: 'both', whisper: 'none' };
    case 'whisper':
      return { spy: 'both', whisper: 'out' };
    case 'barge':
      return { spy: 'both', whisper: 'both' };
  }
}

/** What the instance holding the call knows of it, for the decision to let a supervisor in. */
export interface SupervisedCall {
  phase: string;
  agentId?: string;
  agentLegId?: string;
  /** The agent answered but is not yet connected (the recording notice is playing). */
  pendingBridge: boolean;
}

export type JoinDecision = { ok: true; agentLegId: string } | { ok: false; status: 404 | 409; field: string; reason: string };

/**
 * A supervisor may join a call that is talking (caller and agent bridged) from a phone that is
 * not the call's own agent's, and not one already supervising this call.
 */
export function mayJoin(call: SupervisedCall | undefined, phone: string, phonesOnThisCall: readonly string[]): JoinDecision {
  if (!call) return { ok: false, status: 404, field: '/callId', reason: 'no live call by this id' };
  if (call.phase !== 'bridged' || call.pendingBridge || !call.agentLegId)
    return { ok: false, status: 409, field: '/callId', reason: `the call is not talking to an agent (${call.phase})` };
  if (call.agentId === phone)
    return { ok: false, status: 409, field: '/phone', reason: "the supervisor's phone is the call's agent's own" };
  if (phonesOnThisCall.includes(phone))
    return { ok: false, status: 409, field: '/phone', reason: 'this phone already supervises the call' };
  return { ok: true, agentLegId: call.agentLegId };
}

/** A supervision's life: ringing the supervisor's phone, joined in a mode, or over. */
export type SupervisionPhase = 'ringing' | 'joined' | 'left';

/** Why a supervision ended. */
export type LeaveReason = 'left' | 'supervisor_hung_up' | 'call_ended' | 'no_answer' | 'failed';
