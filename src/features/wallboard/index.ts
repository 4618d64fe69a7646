import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { wallboardRoutes } from './routes.js';
import { PgWallboardSettings } from './settings-repo.js';
import { ThresholdsService } from './thresholds-service.js';

export interface WallboardFeature extends Feature {
  thresholds: ThresholdsService;
}

/** The wallboard's shared settings (its live data is features/live's /api/live). */
export function registerWallboard({ pool }: Infrastructure): WallboardFeature {
  const thresholds = new ThresholdsService(new PgWallboardSettings(pool));
  return { thresholds, routes: [wallboardRoutes({ thresholds })] };
}
