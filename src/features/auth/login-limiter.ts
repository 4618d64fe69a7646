import type { Redis } from 'ioredis';

// Counts a failure in a fixed window; the window starts at the first failure.
const COUNT_FAILURE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export interface LoginLimits {
  /** Failed logins allowed per user name, and per client address, within `windowMs`. */
  perUser: number;
  perIp: number;
  windowMs: number;
}

/**
 * Login attempts, limited per user name and per client address, in Redis so every instance
 * counts the same failures. While a limit is reached no password is even checked.
 */
export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly key: (kind: 'user' | 'ip', id: string) => string,
    private readonly limits: LoginLimits,
  ) {
    redis.defineCommand('t12LoginFailure', { numberOfKeys: 1, lua: COUNT_FAILURE });
  }

  /** Milliseconds until another attempt is allowed; 0 when it is allowed now. */
  async blockedFor(username: string, ip: string): Promise<number> {
    const ku = this.key('user', username);
    const ki = this.key('ip', ip);
    const replies = (await this.redis.multi().get(ku).get(ki).pttl(ku).pttl(ki).exec()) ?? [];
    const [nu, ni, tu, ti] = replies.map(([err, v]) => {
      if (err) throw err;
      return Number(v);
    });
    const waits: number[] = [];
    if (nu! >= this.limits.perUser) waits.push(tu!);
    if (ni! >= this.limits.perIp) waits.push(ti!);
    return waits.length ? Math.max(1, ...waits) : 0;
  }

  async failed(username: string, ip: string): Promise<void> {
    const r = this.redis as Redis & { t12LoginFailure(key: string, ms: number): Promise<number> };
    await Promise.all([r.t12LoginFailure(this.key('user', username), this.limits.windowMs), r.t12LoginFailure(this.key('ip', ip), this.limits.windowMs)]);
  }

  /** A good password clears the user name's count (not the address's: one good account must not unlock guessing others). */
  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.key('user', username));
  }
}
