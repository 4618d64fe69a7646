import type { Redis } from 'ioredis';

/**
 * Deletes every key under the prefix, in batches. A service started against the shared database
 * copies the last agent of every recent caller into its prefix (tens of thousands of keys), more
 * than one DEL may name.
 */
export async function unlinkPrefix(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 })) {
    if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
  }
}
