import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { INSTANCE_BEAT } from '../../adapters/redis/cluster-scripts.js';
import { runScript } from '../../adapters/redis/scripts.js';

/** What an instance tells the others about itself. */
export interface Registration {
  instance: string;
  /** Its Stasis app: the dialplan sends it new calls; a survivor moves its calls out of it. */
  app: string;
  /** The Asterisk it drives (ARI's host:port). */
  node: string;
  startedAt: number;
  /** This boot: a fence set at takeover stops this boot, not the next one with the same name. */
  token: string;
}

export interface Member extends Registration {
  lastBeatAt: number | null;
  alive: boolean;
  /** Calls its sessions hold (its set of calls in Redis). */
  calls: number;
}

/**
 * The instances sharing this Redis: each renews a liveness lease (its boot token with a TTL) and
 * its registration; an instance whose lease ran out is dead to the others (features/cluster/takeover.ts).
 */
export class Membership {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly self: Registration,
    private readonly leaseMs: number,
  ) {}

  /** Renews this instance's lease; false when it was taken for dead and its calls taken over (fenced). */
  async beat(now: number): Promise<boolean> {
    const k = this.keys;
    const r = await runScript(
      this.redis,
      INSTANCE_BEAT,
      [k.instanceAlive(this.self.instance), k.instanceFenced(this.self.instance), k.instanceBeats, k.instances],
      [this.self.instance, this.self.token, String(this.leaseMs), String(now), JSON.stringify(this.self)],
    );
    return r !== -1;
  }

  /** Every registered instance, alive or not, with its calls count. */
  async members(): Promise<Member[]> {
    const k = this.keys;
    const regs = Object.values(await this.redis.hgetall(k.instances)).map((x) => JSON.parse(x) as Registration);
    if (!regs.length) return [];
    const p = this.redis.multi();
    for (const r of regs) p.exists(k.instanceAlive(r.instance)).zscore(k.instanceBeats, r.instance).scard(k.sessions(r.instance));
    const res = (await p.exec()) ?? [];
    return regs
      .map((r, i) => ({
        ...r,
        alive: res[i * 3]?.[1] === 1,
        lastBeatAt: res[i * 3 + 1]?.[1] ? Number(res[i * 3 + 1]![1]) : null,
        calls: Number(res[i * 3 + 2]?.[1] ?? 0),
      }))
      .sort((a, b) => a.instance.localeCompare(b.instance));
  }

  /** A dead instance whose calls were taken over leaves the list (and what it last saw of its Asterisk: no calls left to judge by it). */
  async forget(instance: string): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.keys.instances, instance)
      .zrem(this.keys.instanceBeats, instance)
      .hdel(this.keys.asteriskStarted, instance)
      .exec();
  }

  /**
   * Stopping: the lease goes at once, so a survivor takes over the calls still in Stasis now
   * rather than a lease's length later (a rolling restart); with no survivor, the next boot of
   * this instance takes them back itself (CallService.restore).
   */
  async release(): Promise<void> {
    await this.redis.del(this.keys.instanceAlive(this.self.instance));
  }
}
