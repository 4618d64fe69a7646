import type { Redis } from 'ioredis';
import { runScript } from '../../adapters/redis/scripts.js';
import { LOGIN_ATTEMPT, LOGIN_SUCCEEDED, TOKEN_MISS } from '../../adapters/redis/login-scripts.js';

export interface LoginLimits {
  /** Attempts a (user name, address) pair may make at once; after that each waits twice as long as the last. */
  perPair: number;
  /** Attempts one address may make (any user names) within `quietMs`. */
  perIp: number;
  /** The first wait after the free attempts, and the longest. */
  firstBackoffMs: number;
  maxBackoffMs: number;
  /** A pair or address not heard from for this long starts afresh. */
  quietMs: number;
  /** Unknown bearer tokens one address may present within `quietMs` before it is refused outright. */
  tokenMissesPerIp: number;
}

export type LoginKeyKind = 'pair' | 'ip' | 'token-ip';

/**
 * Login attempts limited per (user name, client address) with exponential back-off and per
 * address, in Redis so every instance counts the same attempts. An attempt is reserved before
 * the password is checked (LOGIN_ATTEMPT), so parallel guesses cannot slip past the count.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: (kind: LoginKeyKind, id: string) => string,
    private readonly limits: LoginLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0: go ahead (the attempt is counted); otherwise milliseconds to wait, nothing counted. */
  async attempt(username: string, ip: string): Promise<number> {
    const l = this.limits;
    const wait = await runScript(
      this.redis,
      LOGIN_ATTEMPT,
      [this.pairKey(username, ip), this.key('ip', ip)],
      [String(this.now()), String(l.perPair), String(l.firstBackoffMs), String(l.maxBackoffMs), String(l.quietMs), String(l.perIp)],
    );
    return Number(wait);
  }

  /** A good password: the pair starts afresh and the attempt no longer counts against the address. */
  async succeeded(username: string, ip: string): Promise<void> {
    await runScript(this.redis, LOGIN_SUCCEEDED, [this.pairKey(username, ip), this.key('ip', ip)], []);
  }

  /** Counts an unknown bearer token from `ip`; true when that address is over its limit. */
  async tokenMissed(ip: string): Promise<boolean> {
    const n = Number(await runScript(this.redis, TOKEN_MISS, [this.key('token-ip', ip)], [String(this.limits.quietMs)]));
    return n > this.limits.tokenMissesPerIp;
  }

  /** Whether `ip` is already over its unknown-token limit (checked before any token lookup). */
  async tokensBlocked(ip: string): Promise<boolean> {
    const n = Number((await this.redis.get(this.key('token-ip', ip))) ?? 0);
    return n > this.limits.tokenMissesPerIp;
  }

  private pairKey(username: string, ip: string): string {
    // The user name is bounded by the API schema; JSON keeps an odd one from colliding with another pair.
    return this.key('pair', JSON.stringify([username, ip]));
  }
}
