import type { Redis } from 'ioredis';

/**
 * Where every instance reads which version is active, so an activation on one instance switches
 * them all at once without each asking Postgres.
 */
export interface ActivePointer {
  read(): Promise<number | undefined>;
  write(version: number): Promise<void>;
}

/** The active version number under one Redis key (built in adapters/redis/keys.ts). */
export class RedisActivePointer implements ActivePointer {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  async read(): Promise<number | undefined> {
    // Empty after a flush or a restart: the caller falls back to Postgres.
    const v = Number(await this.redis.get(this.key));
    return Number.isInteger(v) && v > 0 ? v : undefined;
  }

  async write(version: number): Promise<void> {
    await this.redis.set(this.key, String(version));
  }
}
