/**
 * Supervision of live calls (features/supervision): listen, whisper or barge from the supervisor's
 * own phone. The shapes the API sends, the names users read, and the pure steps the wallboard takes.
 */

export type SuperviseMode = 'listen' | 'whisper' | 'barge';
export const MODES: readonly SuperviseMode[] = ['listen', 'whisper', 'barge'];

export interface Supervision {
  id: string;
  callId: string;
  mode: SuperviseMode;
  /** The agent id whose SIP phone the supervisor uses. */
  phone: string;
  /** The supervisor's account. */
  supervisor: string;
  /** 'ringing': the supervisor's phone rings; 'joined': on the call. */
  state: 'ringing' | 'joined';
  startedAt: string;
}

export const MODE_NAMES: Record<SuperviseMode, { verb: [string, string]; doing: [string, string]; hint: [string, string] }> = {
  listen: { verb: ['监听', 'Listen'], doing: ['监听中', 'Listening'], hint: ['只听，双方都听不到您', 'Hear both; neither hears you'] },
  whisper: { verb: ['耳语', 'Whisper'], doing: ['耳语中', 'Whispering'], hint: ['只有坐席听到您', 'Only the agent hears you'] },
  barge: { verb: ['强插', 'Barge'], doing: ['强插中', 'Barged in'], hint: ['双方都听到您', 'Both parties hear you'] },
};

export const SUPERVISION_STATES: Record<Supervision['state'], [string, string]> = {
  ringing: ['话机振铃', 'phone ringing'],
  joined: ['已接通', 'joined'],
};

/** Polled this often while the wallboard is open: a supervision's state changes when the phone is answered. */
export const POLL_MS = 2000;

/** Where the wallboard remembers the phone of a supervisor whose account has no agent id. */
export const PHONE_KEY = 'tax12366.supervisePhone';

/** The phone to ring: the account's own agent id first, else the one this browser remembers. */
export function supervisorPhone(accountAgentId: string | null | undefined, remembered: string | null): string | null {
  return accountAgentId || (remembered && /^[A-Za-z0-9_-]{1,32}$/.test(remembered) ? remembered : null);
}

const same = (a: Supervision, b: Supervision) =>
  a.id === b.id &&
  a.mode === b.mode &&
  a.state === b.state &&
  a.phone === b.phone &&
  a.supervisor === b.supervisor &&
  a.callId === b.callId;

/**
 * The supervisions per call, each call's list keeping the object it had when nothing in it changed:
 * the wallboard's rows are memoized, and a poll that changed nothing must not redraw them.
 */
export function byCall(
  prev: ReadonlyMap<string, readonly Supervision[]>,
  items: readonly Supervision[],
): Map<string, readonly Supervision[]> {
  const grouped = new Map<string, Supervision[]>();
  for (const s of items) {
    const list = grouped.get(s.callId) ?? [];
    list.push(s);
    grouped.set(s.callId, list);
  }
  const out = new Map<string, readonly Supervision[]>();
  for (const [callId, list] of grouped) {
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const old = prev.get(callId);
    out.set(callId, old && old.length === list.length && old.every((s, i) => same(s, list[i]!)) ? old : list);
  }
  return out;
}
