import type { Logger } from 'pino';

/** A periodic task whose failure is logged ("`what` failed") and tried again at the next tick. */
export function every(ms: number, task: () => Promise<unknown>, log: Logger, what: string): { stop: () => void } {
  const timer = setInterval(() => void task().catch((err: Error) => log.warn({ err: err.message }, `${what} failed`)), ms);
  return { stop: () => clearInterval(timer) };
}
