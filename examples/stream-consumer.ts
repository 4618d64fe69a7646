/**
 * A tool that follows the call and agent events, as another team would write it.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/stream-consumer.ts
 *
 * It joins a consumer group on the stream (so several copies share the work and a restarted
 * copy resumes where it stopped), handles each event, and acknowledges it.
 */
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const stream = `${process.env.REDIS_PREFIX ?? 't12'}:events`;
const group = 'wallboard';
const consumer = `wallboard-${process.pid}`;

// Create the group once; '$' = only events from now on ('0' would replay what the stream holds).
await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM').catch((err: Error) => {
  if (!err.message.includes('BUSYGROUP')) throw err;
});

for (;;) {
  const res = (await redis.xreadgroup('GROUP', group, consumer, 'COUNT', 100, 'BLOCK', 5000, 'STREAMS', stream, '>')) as Array<
    [string, Array<[string, string[]]>]
  > | null;
  for (const [, entries] of res ?? []) {
    for (const [entryId, fields] of entries) {
      const f = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [fields[2 * i], fields[2 * i + 1]]));
      const event = JSON.parse(f.json!) as { type: string; id: string; at: string; callId?: string; agentId?: string };
      // Event ids are unique: a consumer that may see an event twice (after a crash before XACK) dedupes on them.
      console.log(event.at, event.type, event.callId ?? event.agentId ?? '');
      await redis.xack(stream, group, entryId);
    }
  }
}
