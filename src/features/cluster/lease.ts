import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { LEASE_RELEASE, LEASE_TAKE } from '../../adapters/redis/cluster-scripts.js';
import { runScript } from '../../adapters/redis/scripts.js';

/**
 * Work that must run on one instance at a time (the stuck-agent check): each run first takes or
 * renews a lease in Redis whose TTL outlasts the interval between runs, so the holder keeps it
 * while it runs and another instance takes it over once the holder stops renewing it.
 */
export class Leases {
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly holder: string,
  ) {}

  /** Runs `task` if this instance holds (or could take) the lease `name`; false if another holds it. */
  async runIfHeld(name: string, ttlMs: number, task: () => Promise<unknown>): Promise<boolean> {
    const ok = (await runScript(this.redis, LEASE_TAKE, [this.keys.lease(name)], [this.holder, String(ttlMs)])) === 1;
    if (!ok) {
      this.held.delete(name);
      return false;
    }
    this.held.add(name);
    await task();
    return true;
  }

  /** The leases this instance held at its last runs (the cluster view). */
  holding(): string[] {
    return [...this.held].sort();
  }

  /** Stopping: another instance need not wait for the TTL. */
  async releaseAll(): Promise<void> {
    await Promise.all([...this.held].map((n) => runScript(this.redis, LEASE_RELEASE, [this.keys.lease(n)], [this.holder])));
    this.held.clear();
  }
}
