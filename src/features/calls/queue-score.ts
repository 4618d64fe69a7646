/**
 * Order of waiting calls in a Redis sorted set: higher priority first, then longest waiting.
 * Priority takes the high digits; enqueue time (ms, < 1e13 until the year 2286) the low ones.
 */
export function queueScore(priority: number, enqueuedAt: number): number {
  return -priority * 1e13 + enqueuedAt;
}
