import { Redis } from 'ioredis';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { SlaOptions } from '../../core/workorders/sla.js';
import type { CallbacksFeature } from '../callbacks/index.js';
import type { EventsFeature } from '../events/index.js';
import { workOrderRoutes } from './routes.js';
import { SlaJobs } from './sla-jobs.js';
import { PgWorkOrderRepo } from './workorder-repo.js';
import { WorkOrderService, type WorkOrderDeps } from './workorder-service.js';

export interface WorkOrdersFeature extends Feature {
  service: WorkOrderService;
  jobs: SlaJobs;
}

/**
 * Work orders (工单) between the center and its departments: routes, the service, and the SLA
 * jobs (reminders, escalations) in a BullMQ queue of their own. `o.sla` (tests) fixes the due
 * times; `o.summaryOf` gives the call summary an order from a call starts with (features/summaries).
 */
export function registerWorkOrders(
  { config, pool, ctx, log }: Infrastructure,
  { events, callbacks }: { events: EventsFeature; callbacks: CallbacksFeature },
  o: { sla?: SlaOptions; summaryOf?: WorkOrderDeps['summaryOf'] } = {},
): WorkOrdersFeature {
  // BullMQ blocks on its connection and must never give up on a command: a connection of its own.
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', (err) => log.debug({ err: err.message }, 'redis (work orders) error'));
  const service = new WorkOrderService({
    repo: new PgWorkOrderRepo(pool),
    publish: events.publish,
    ctx,
    sla: o.sla ?? {},
    dialBack: (job, jobId) => callbacks.service.dial(job, { jobId }),
    instanceId: config.INSTANCE_ID,
    summaryOf: o.summaryOf,
    log,
  });
  const jobs = new SlaJobs({
    connection,
    prefix: `${config.REDIS_PREFIX}:bull`,
    log,
    now: () => ctx().now,
    fire: (job) => service.slaFired(job),
  });
  service.useJobs(jobs);
  return {
    service,
    jobs,
    routes: [workOrderRoutes({ workorders: service })],
    start: () => jobs.start(),
    async stop() {
      await jobs.stop();
      connection.disconnect();
    },
  };
}
