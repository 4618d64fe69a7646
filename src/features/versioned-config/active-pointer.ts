import type { Redis } from 'ioredis';
import type { ConfigWatch } from './config-watch.js';

/**
 * Where every instance reads which version is active, so an activation on one instance switches
 * them all at once without each asking Postgres.
 */
export interface ActivePointer {
  read(): Promise<number | undefined>;
  write(version: number): Promise<void>;
}

/**
 * The active version number under one Redis key (built in adapters/redis/keys.ts). With a watch,
 * the number read is kept in memory until any instance writes one (or the watch reconnects), so
 * a call arriving does not wait a Redis round trip to learn which IVR version it starts on.
 */
export class RedisActivePointer implements ActivePointer {
  private cached: { version: number; generation: number } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly watch?: ConfigWatch,
  ) {}

  async read(): Promise<number | undefined> {
    const generation = this.watch?.generation;
    if (generation !== undefined && this.cached?.generation === generation) return this.cached.version;
    // Empty after a flush or a restart: the caller falls back to Postgres.
    const v = Number(await this.redis.get(this.key));
    const version = Number.isInteger(v) && v > 0 ? v : undefined;
    // Stamped with the generation from before the read: a change announced meanwhile discards it.
    this.cached = version !== undefined && generation !== undefined ? { version, generation } : undefined;
    return version;
  }

  async write(version: number): Promise<void> {
    await this.redis.set(this.key, String(version));
    this.cached = undefined;
    await this.watch?.announce(this.redis);
  }
}
