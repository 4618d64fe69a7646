import { Redis } from 'ioredis';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { EventsFeature } from '../events/index.js';
import type { OutboundFeature } from '../outbound/index.js';
import { PgCallbackRepo } from './callback-repo.js';
import { CallbackService } from './callback-service.js';
import { callbackRoutes } from './routes.js';
import { CallbackQueries } from './callback-queries.js';

export interface CallbacksFeature extends Feature {
  service: CallbackService;
  repo: PgCallbackRepo;
}

/** Callers who kept their place: dialled back when their turn comes, further attempts scheduled in BullMQ. */
export function registerCallbacks(
  { config, pool, ari, redis, keys, ctx, log }: Infrastructure,
  { events, outbound }: { events: EventsFeature; outbound: OutboundFeature },
): CallbacksFeature {
  // BullMQ blocks on its connection and must never give up on a command: a connection of its own.
  const bullConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  bullConnection.on('error', (err) => log.debug({ err: err.message }, 'redis (callbacks) error'));
  const repo = new PgCallbackRepo(pool);
  const service = new CallbackService({
    connection: bullConnection,
    prefix: `${config.REDIS_PREFIX}:bull`,
    ari,
    trunk: config.TRUNK_ENDPOINT,
    attempts: config.CALLBACK_ATTEMPTS,
    retryDelayMs: config.CALLBACK_RETRY_S * 1000,
    ringTimeoutS: 30,
    publish: events.publish,
    ctx,
    log,
    attemptsSoFar: (callId) => repo.attemptsSoFar(callId),
    takeDial: (caller) => outbound.guard.takeCallback(caller),
    rings: { redis, ring: keys.callbackRing, ringing: keys.callbackRinging },
  });
  return {
    service,
    repo,
    routes: [callbackRoutes({ callbacks: new CallbackQueries(repo) })],
    start: () => service.start(),
    async stop() {
      await service.stop();
      bullConnection.disconnect();
    },
  };
}
