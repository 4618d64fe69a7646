import type { Redis } from 'ioredis';
import type { DomainEvent } from '../../core/events.js';

/**
 * Appends events to one Redis stream, trimmed to about `maxLen` entries (Postgres keeps
 * the full history; the stream is for live consumers). Fields: id, type, callId, agentId, at, json.
 */
export class RedisEventStream {
  readonly name = 'redis';
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly maxLen: number,
  ) {}

  async write(batch: readonly DomainEvent[]): Promise<void> {
    const p = this.redis.multi();
    for (const e of batch) {
      p.xadd(this.key, 'MAXLEN', '~', String(this.maxLen), '*',
        'id', e.id, 'type', e.type,
        'callId', 'callId' in e ? e.callId ?? '' : '',
        'agentId', 'agentId' in e ? e.agentId ?? '' : '',
        'at', e.at, 'json', JSON.stringify(e));
    }
    const res = await p.exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw failed?.[0] ?? new Error('redis transaction aborted');
  }
}
