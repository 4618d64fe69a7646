/**
 * Agents' phone feature codes: what a dialled string asks for. The dialplan only forwards
 * `*1…` numbers into the app; the meaning of every digit is decided here.
 *
 *   *11 log in   *12 log out   *13X pause with reason X   *14 unpause   *15 end wrap-up
 */
export type FeatureAction =
  { action: 'login' } | { action: 'logout' } | { action: 'pause'; reason: string } | { action: 'unpause' } | { action: 'end_wrap_up' };

/** The digit after *13 → a pause reason code (pause_reasons table). */
export const PAUSE_DIGITS: Readonly<Record<string, string>> = {
  '1': 'training',
  '2': 'meeting',
  '3': 'paperwork',
  '4': 'break',
};

/** `*132` → pause for a meeting; undefined for anything that is not a feature code. */
export function parseFeatureCode(dialled: string): FeatureAction | undefined {
  const m = /^\*1([1-5])(\d*)$/.exec(dialled.trim());
  if (!m) return undefined;
  const [, code, rest] = m as unknown as [string, string, string];
  if (code === '3') {
    const reason = rest.length === 1 ? PAUSE_DIGITS[rest] : undefined;
    return reason ? { action: 'pause', reason } : undefined;
  }
  if (rest !== '') return undefined;
  switch (code) {
    case '1':
      return { action: 'login' };
    case '2':
      return { action: 'logout' };
    case '4':
      return { action: 'unpause' };
    default:
      return { action: 'end_wrap_up' };
  }
}

/** The Stasis arguments the dialplan sends (`feature,<code>,<digits>`, e.g. feature,13,2) → the dialled string. */
export function dialledFromArgs(args: readonly string[]): string | undefined {
  if (args[0] !== 'feature' || !args[1] || !/^\d{2}$/.test(args[1])) return undefined;
  return `*${args[1]}${args[2] ?? ''}`;
}

/** The prompt an agent hears after a feature code. */
export type FeaturePrompt =
  'agent-logged-in' | 'agent-logged-out' | 'agent-paused' | 'agent-unpaused' | 'agent-wrap-up-ended' | 'agent-action-failed';

export function confirmationPrompt(a: FeatureAction): FeaturePrompt {
  switch (a.action) {
    case 'login':
      return 'agent-logged-in';
    case 'logout':
      return 'agent-logged-out';
    case 'pause':
      return 'agent-paused';
    case 'unpause':
      return 'agent-unpaused';
    case 'end_wrap_up':
      return 'agent-wrap-up-ended';
  }
}

/** The agent a phone's channel belongs to: `PJSIP/1001-0000002a` → 1001. */
export function agentIdFromChannelName(name: string): string | undefined {
  const m = /^PJSIP\/([^-/]+)-[0-9a-f]+$/i.exec(name);
  return m?.[1];
}
