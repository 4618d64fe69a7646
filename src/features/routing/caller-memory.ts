import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { results } from '../../adapters/redis/pipeline.js';

/**
 * Who last took a call from each caller, for the preferred-agent rule: kept in Redis for the
 * rule's window (read on every incoming call), and filled in from history after a first start or
 * a loss of Redis's data.
 */
export class CallerMemory {
  /** `bulk`: the connection for seeding from history, so that write never delays a claim. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly bulk: Redis = redis,
  ) {}

  /** The agent who last took a call from `caller`, if within the window it was remembered for. */
  async lastAgent(caller: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.lastAgent(caller))) ?? undefined;
  }
  async remember(caller: string, agentId: string, forMs: number): Promise<void> {
    await this.redis.set(this.keys.lastAgent(caller), agentId, 'PX', forMs);
  }
  /** Fills in what Redis lacks (a first start, a flushed Redis) from history, never overwriting. */
  async seed(rows: Array<{ caller: string; agentId: string; untilMs: number }>, now: number): Promise<void> {
    const p = this.bulk.pipeline();
    for (const r of rows) if (r.untilMs > now) p.set(this.keys.lastAgent(r.caller), r.agentId, 'PX', Math.ceil(r.untilMs - now), 'NX');
    results(await p.exec());
  }
}
