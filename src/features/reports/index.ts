import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { SharedRead } from '../../shared/shared-read.js';
import { localDay } from './days.js';
import { ReportsInWorker } from './in-worker.js';
import { reportRoutes } from './routes.js';

export interface ReportsFeature extends Feature {
  reports: ReportsInWorker;
  /** Today's figures per queue, shared by every scrape and wallboard for LIVE_TODAY_EVERY_S. */
  today: () => ReturnType<ReportsInWorker['queues']>;
}

export function registerReports({ config, log }: Infrastructure): ReportsFeature {
  // On a thread of their own: building a day's figures is JavaScript over its raw rows, and no
  // call would be routed meanwhile (in-worker.ts).
  const reports = new ReportsInWorker({
    databaseUrl: config.DATABASE_URL,
    poolSize: 4,
    tz: config.TZ_NAME,
    shortAbandonS: config.SHORT_ABANDON_S,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    log,
  });
  // Every scrape and every wallboard each second would rebuild today from its calls: one read
  // serves all for LIVE_TODAY_EVERY_S.
  const todayFigures = new SharedRead(
    () => {
      const day = localDay(Date.now(), config.TZ_NAME);
      return reports.queues({ from: day, to: day });
    },
    config.LIVE_TODAY_EVERY_S * 1000,
    () => Date.now(),
  );
  return {
    reports,
    today: () => todayFigures.get(),
    routes: [reportRoutes({ reports })],
    stop: () => reports.close(),
  };
}
