/** A thread for test/unit/thread-calls.test.ts: answers, throws, or dies when asked. */
import { serveThreadCalls } from '../../src/shared/thread-calls.js';

serveThreadCalls({
  echo: (x: unknown) => x,
  later: async (x: unknown) => {
    await new Promise((r) => setTimeout(r, 20));
    return x;
  },
  fail: (message: string) => {
    throw new RangeError(message);
  },
  die: (code: number) => process.exit(code),
});
