import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { DomainEvent } from '../../core/events.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { summaryRoutes } from './routes.js';
import { PgSummaryRepo } from './summary-repo.js';
import { SummaryService, type KbLookup } from './summary-service.js';
import { TopicsService } from './topics-service.js';
import { topicsRoutes } from './topics-routes.js';

export type { KbLookup } from './summary-service.js';

export interface SummariesFeature extends Feature {
  service: SummaryService;
  topics: TopicsService;
  /** A call's summary as text, for a work order made from the call (features/workorders). */
  summaryOf: (callId: string) => Promise<string | undefined>;
}

/**
 * Call summaries (来电小结) and the hot-topics report (热点). Needs the events publisher and the
 * knowledge base's lookup (features/kb's registration: `kb.kbLookup`).
 */
export function registerSummaries(
  { config, pool }: Infrastructure,
  d: { events: { publish: (e: DomainEvent[]) => void }; kb: KbLookup },
): SummariesFeature {
  const repo = new PgSummaryRepo(pool);
  const service = new SummaryService({ repo, kb: d.kb, publish: d.events.publish, now: () => Date.now(), newId: () => uuidv7() });
  const topics = new TopicsService(repo, config.TZ_NAME);
  return {
    service,
    topics,
    summaryOf: (callId) => service.summaryOf(callId),
    routes: [summaryRoutes({ summaries: service }), topicsRoutes({ topics })],
  };
}
