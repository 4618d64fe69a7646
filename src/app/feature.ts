import type { FastifyPluginAsync } from 'fastify';

/**
 * What a feature hands the composition root (src/main.ts): its HTTP routes and its part in the
 * service's start and shutdown. Each feature builds its own objects in a registration function in
 * its folder (e.g. features/calls/index.ts); the root only says in which order they start and stop.
 */
export interface Feature {
  /** Authenticated API routes (Fastify plugins), registered after the auth hook. */
  routes?: FastifyPluginAsync[];
  start?(): Promise<void> | void;
  /**
   * Shutdown, first pass: start nothing new (timers, routing rounds, retries). Synchronous and run
   * for every feature before any stop(), so none runs one more round while another lets go.
   */
  halt?(): void;
  /** Shutdown, second pass, one feature after another in the order the root lists: let go of what it holds. */
  stop?(): Promise<void> | void;
}

export async function startInOrder(features: readonly Feature[]): Promise<void> {
  for (const f of features) await f.start?.();
}

export async function stopInOrder(features: readonly Feature[]): Promise<void> {
  for (const f of features) f.halt?.();
  for (const f of features) await f.stop?.();
}

/**
 * The service's stop: the features stopped in the given order, once however often it is asked
 * (a signal during a stop, a test's stop after the process's own); every caller waits for that one.
 */
export function stopOnce(log: { info(msg: string): void }, features: readonly Feature[]): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      await stopInOrder(features);
    })());
}
