import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { SESSION_UNLIST_GONE, runScript } from '../../adapters/redis/scripts.js';

/** Longer than any call: a snapshot nobody dropped (a crash) goes by itself. */
const SESSION_TTL_S = 12 * 3600;

/**
 * Call session snapshots in Redis, and each instance's set of the calls it holds, so a restarted
 * instance picks its calls up where they were.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * A call's snapshot (JSON); it outlives the call, and a stale one is ended on the next start.
   * `listed`: the owner's set already holds the call (an earlier save succeeded), so only the
   * snapshot itself is written.
   */
  async save(owner: string, callId: string, json: string, listed: boolean): Promise<void> {
    if (listed) {
      await this.redis.set(this.keys.session(callId), json, 'EX', SESSION_TTL_S);
      return;
    }
    await this.redis.multi().set(this.keys.session(callId), json, 'EX', SESSION_TTL_S).sadd(this.keys.sessions(owner), callId).exec();
  }
  /** Whether the instance's set of calls lists the call: written once per call, so gone only if Redis lost it. */
  async isListed(owner: string, callId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.sessions(owner), callId)) === 1;
  }
  /** One call's snapshot (JSON), undefined once the call ended: the agent desktop's screen pop reads it on any instance. */
  async get(callId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.session(callId))) ?? undefined;
  }
  async drop(owner: string, callId: string): Promise<void> {
    await this.redis.multi().del(this.keys.session(callId)).srem(this.keys.sessions(owner), callId).exec();
  }
  /** Several calls' snapshots by id, whichever instance holds them (one MGET); a call without one is left out. */
  async many<T>(callIds: readonly string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (!callIds.length) return out;
    const raw = await this.redis.mget(...callIds.map((id) => this.keys.session(id)));
    raw.forEach((x, i) => x && out.set(callIds[i]!, JSON.parse(x) as T));
    return out;
  }
  /** The instance's calls' snapshots; calls listed without one (a crash let it expire) are taken off the list. */
  async owned<T>(owner: string): Promise<T[]> {
    const ids = await this.redis.smembers(this.keys.sessions(owner));
    if (!ids.length) return [];
    const raw = await this.redis.mget(...ids.map((id) => this.keys.session(id)));
    const gone = ids.filter((_, i) => !raw[i]);
    // Each checked again as it is taken off: one saved since the read above stays listed.
    await Promise.all(
      gone.map((id) => runScript(this.redis, SESSION_UNLIST_GONE, [this.keys.sessions(owner), this.keys.session(id)], [id])),
    );
    return raw.filter((x): x is string => !!x).map((x) => JSON.parse(x) as T);
  }
}
