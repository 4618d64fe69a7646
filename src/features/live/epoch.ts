import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';

/** The live state's identity in Redis: it changes only when Redis lost its data (live-state-watch.ts). */
export class LiveEpoch {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * `candidate` if the live state had no identity (a first start, or Redis lost its data), else
   * the one it has, in one step (SET NX GET). An instance that sees it change knows the state it
   * wrote is gone.
   */
  async current(candidate: string): Promise<string> {
    const had = (await this.redis.call('SET', this.keys.liveEpoch, candidate, 'NX', 'GET')) as string | null;
    return had ?? candidate;
  }
}
