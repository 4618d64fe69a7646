import type { Redis } from 'ioredis';
import type { Sequenced } from '../../adapters/outbox/journal.js';
import { runScript, type LuaScript } from '../../adapters/redis/scripts.js';

/**
 * Appends events to one Redis stream, trimmed to about `maxLen` entries (Postgres keeps the
 * full history; the stream is for live consumers). Fields: id, type, callId, agentId, at, json.
 *
 * Exactly once: the outbox numbers events per instance; a marker key holds the last number
 * this stream has from that instance, checked and moved in the same script as the XADDs, so a
 * batch sent again after a lost reply adds nothing twice.
 */
const APPEND: LuaScript = {
  name: 'tax12366StreamAppend',
  numberOfKeys: 2,
  lua: `
local done = tonumber(redis.call('GET', KEYS[2]) or '0')
local n = 0
for i = 1, #ARGV - 1, 7 do
  local seq = tonumber(ARGV[i])
  if seq > done then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[#ARGV], '*',
      'id', ARGV[i + 1], 'type', ARGV[i + 2], 'callId', ARGV[i + 3], 'agentId', ARGV[i + 4], 'at', ARGV[i + 5], 'json', ARGV[i + 6])
    done = seq
    n = n + 1
  end
end
redis.call('SET', KEYS[2], done)
return n
`,
};

export class RedisEventStream {
  readonly name = 'redis';
  /**
   * Live consumers see an event at most this much later, and a busy second is a few appends
   * instead of one per step of every call (each a script run and a read of the outbox).
   */
  readonly lingerMs = 20;
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly markerKey: string,
    private readonly maxLen: number,
  ) {}

  async write(batch: readonly Sequenced[]): Promise<void> {
    const args: string[] = [];
    for (const { seq, event: e } of batch) {
      args.push(
        String(seq),
        e.id,
        e.type,
        'callId' in e ? (e.callId ?? '') : '',
        'agentId' in e ? (e.agentId ?? '') : '',
        e.at,
        JSON.stringify(e),
      );
    }
    // The trailing argument is the stream's length cap; the loop above stops short of it.
    args.push(String(this.maxLen));
    await runScript(this.redis, APPEND, [this.key, this.markerKey], args);
  }
}
