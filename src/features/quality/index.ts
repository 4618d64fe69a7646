import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { EventsFeature } from '../events/index.js';
import { PgQualityRepo } from './quality-repo.js';
import { QualityService } from './quality-service.js';
import { qualityRoutes } from './routes.js';

export interface QualityFeature extends Feature {
  service: QualityService;
}

/** Quality review (质检, docs/quality.md): the versioned form, reviews of recorded calls, the monthly figures. HTTP only. */
export function registerQuality({ pool, ctx, config }: Infrastructure, { events }: { events: EventsFeature }): QualityFeature {
  const service = new QualityService({ repo: new PgQualityRepo(pool), publish: events.publish, ctx, tz: config.TZ_NAME });
  return { service, routes: [qualityRoutes({ quality: service })] };
}
