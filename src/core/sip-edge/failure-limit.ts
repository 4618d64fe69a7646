/**
 * When a source address has failed SIP authentication too often: a sliding window of failures per
 * address, and blocks that end. Pure; the SIP guard feeds it Asterisk's security events.
 */
export interface FailureLimitPolicy {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
}

export type FailureVerdict = { block: false } | { block: true; until: number; failures: number };

export class FailureLimit {
  private readonly failures = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  constructor(private readonly policy: FailureLimitPolicy) {}

  /** One failure from `address` at `now`; says whether this one crosses the limit (once per block). */
  fail(address: string, now: number): FailureVerdict {
    if (this.isBlocked(address, now)) return { block: false };
    const since = now - this.policy.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    times.push(now);
    if (times.length < this.policy.maxFailures) {
      this.failures.set(address, times);
      return { block: false };
    }
    this.failures.delete(address);
    const until = now + this.policy.blockMs;
    this.blocked.set(address, until);
    return { block: true, until, failures: times.length };
  }

  isBlocked(address: string, now: number): boolean {
    const until = this.blocked.get(address);
    return until !== undefined && until > now;
  }

  /** Drops blocks that have ended and windows with nothing left in them; returns the addresses unblocked. */
  expire(now: number): string[] {
    const ended = [...this.blocked].filter(([, until]) => until <= now).map(([a]) => a);
    for (const a of ended) this.blocked.delete(a);
    const since = now - this.policy.windowMs;
    for (const [a, times] of this.failures) if (!times.some((t) => t > since)) this.failures.delete(a);
    return ended;
  }

  /** Addresses blocked at `now`, sorted (what pjsip_blocked.conf should deny). */
  blockedAt(now: number): string[] {
    return [...this.blocked]
      .filter(([, until]) => until > now)
      .map(([a]) => a)
      .sort();
  }
}

/**
 * The address in a security event's RemoteAddress ("IPV4/UDP/192.0.2.7/5060"), or undefined when it
 * is not one we can block (no address, or not IPv4/IPv6).
 */
export function remoteAddress(field: string | undefined): string | undefined {
  const m = /^IPV([46])\/[A-Z]+\/([^/]+)\/\d+$/.exec(field ?? '');
  if (!m) return undefined;
  const addr = m[2]!;
  if (m[1] === '4' ? /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) : /^[0-9a-fA-F:]+$/.test(addr)) return addr;
  return undefined;
}

/** Asterisk security events that mean a wrong or unknown credential (not an ACL refusal, not a challenge sent). */
export const AUTH_FAILURE_EVENTS: ReadonlySet<string> = new Set(['ChallengeResponseFailed', 'InvalidPassword', 'InvalidAccountID']);
