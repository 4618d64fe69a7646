import { Registry } from 'prom-client';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { every } from '../../shared/every.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import type { AgentsFeature } from '../agents/index.js';
import { restoreKeptPlaces } from '../callbacks/kept-places.js';
import type { CallbacksFeature } from '../callbacks/index.js';
import type { CallsFeature } from '../calls/index.js';
import type { EventsFeature } from '../events/index.js';
import type { ReportsFeature } from '../reports/index.js';
import type { RoutingFeature } from '../routing/index.js';
import { LiveStateWatch } from './live-state-watch.js';
import { liveStateRecovery } from './recovery.js';
import { liveRoutes } from './routes.js';
import { liveSnapshot } from './snapshot.js';

/**
 * The live state in Redis: watched for a loss (Redis restarted empty or was flushed: callers
 * waiting then would otherwise never be offered) and put back (recovery.ts); wallboards and metrics.
 */
export function registerLive(
  { config, live, log }: Infrastructure,
  d: {
    events: EventsFeature;
    agents: AgentsFeature;
    calls: CallsFeature;
    callbacks: CallbacksFeature;
    routing: RoutingFeature;
    reports: ReportsFeature;
    processMetrics?: Registry;
  },
): Feature {
  const { calls, callbacks, routing } = d;
  const owner = config.INSTANCE_ID;
  const watch = new LiveStateWatch({
    epoch: (candidate) => live.epoch.current(candidate),
    newId: () => uuidv7(),
    log,
    recover: liveStateRecovery({
      drainEvents: (ms) => d.events.publisher.drain(ms),
      agents: d.agents.service,
      calls: calls.service,
      restoreKeptPlaces: (since, now) =>
        restoreKeptPlaces({
          repo: callbacks.repo,
          queues: live.queues,
          owner,
          since,
          now,
          redial: (job, before) => callbacks.service.redial(job, before),
          dialling: (callId) => callbacks.service.dialling(callId),
        }),
      stuck: d.agents.stuck,
      reloadPreferred: routing.reloadPreferred,
      kick: () => routing.dispatcher.kick(),
      now: () => Date.now(),
      log,
    }),
  });
  let checks: { stop: () => void } | undefined;
  return {
    routes: [
      liveRoutes({
        // The reports' background sweep (days built, last run, pending) is scraped with the process's figures.
        process: d.processMetrics ? Registry.merge([d.processMetrics, d.reports.metrics]) : d.reports.metrics,
        snapshot: async () => {
          const now = Date.now();
          const [snap, today] = await Promise.all([
            liveSnapshot(live.queues, await routing.mirror.agents(), now, (ids) => live.sessions.many(ids)),
            d.reports.today(),
          ]);
          return { ...snap, today: today.rows };
        },
      }),
    ],
    async start() {
      await watch.check().catch((err: Error) => log.warn({ err: err.message }, 'live-state check failed'));
      // Each check also puts back calls whose first write or enqueue failed while Redis was away.
      checks = every(
        config.LIVE_STATE_CHECK_S * 1000,
        async () => {
          await watch.check();
          const n = await calls.service.relist(false);
          if (n) log.warn({ callsQueued: n }, 'callers whose enqueue had failed put in their queues');
        },
        log,
        'live-state check',
      );
    },
    halt: () => checks?.stop(),
  };
}
