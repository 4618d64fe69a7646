import { Redis } from 'ioredis';
import { Gauge, Registry } from 'prom-client';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { SharedRead } from '../../shared/shared-read.js';
import { localDay } from './days.js';
import { ReportsInWorker } from './in-worker.js';
import { RollupSweep } from './rollup-sweep.js';
import { reportRoutes } from './routes.js';

export interface ReportsFeature extends Feature {
  reports: ReportsInWorker;
  /**
   * Today's figures per queue, shared by every scrape and wallboard for LIVE_TODAY_EVERY_S; the last
   * ones at once while newer are read (a busy day's scan takes seconds, the wallboard's agents must not wait for it).
   */
  today: () => ReturnType<ReportsInWorker['queues']>;
  /** The background roll-up sweep; absent when REPORTS_ROLLUP_SWEEP is off. */
  sweep?: RollupSweep;
  /** The sweep's figures, scraped on /metrics beside the hotline's. */
  metrics: Registry;
}

export function registerReports({ config, log, keys }: Infrastructure): ReportsFeature {
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
  // BullMQ blocks on its connection and must never give up on a command: a connection of its own.
  const connection = config.REPORTS_ROLLUP_SWEEP
    ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false })
    : undefined;
  connection?.on('error', (err) => log.debug({ err: err.message }, 'redis (report rollups) error'));
  const sweep = connection
    ? new RollupSweep({
        connection,
        prefix: keys.bull,
        log,
        tz: config.TZ_NAME,
        everyMs: config.REPORTS_ROLLUP_EVERY_S * 1000,
        lookbackDays: config.REPORTS_ROLLUP_LOOKBACK_DAYS,
        slSeconds: config.REPORTS_ROLLUP_SL_SECONDS ? config.REPORTS_ROLLUP_SL_SECONDS.split(',').map(Number) : [],
        now: () => Date.now(),
        catchUp: (p) => reports.catchUp(p),
      })
    : undefined;
  return {
    reports,
    sweep,
    metrics: sweepMetrics(sweep),
    today: () => todayFigures.soon(),
    routes: [reportRoutes({ reports })],
    start: () => sweep?.start(),
    async stop() {
      await sweep?.stop();
      connection?.disconnect();
      await reports.close();
    },
  };
}

/** This instance's sweeps: days built, the last run, days left pending. */
function sweepMetrics(sweep: RollupSweep | undefined): Registry {
  const registry = new Registry();
  if (!sweep) return registry;
  const gauge = (name: string, help: string, read: (s: ReturnType<RollupSweep['status']>) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const v = read(sweep.status());
        if (v !== null) this.set(v);
      },
    });
  gauge(
    'tax12366_report_rollup_days_built',
    'Closed days whose rollups the background sweep built on this instance since start',
    (s) => s.daysBuilt,
  );
  gauge('tax12366_report_rollup_sweeps', 'Background roll-up sweeps run on this instance since start', (s) => s.runs);
  gauge('tax12366_report_rollup_sweep_failures', 'Background roll-up sweeps that failed on this instance since start', (s) => s.failures);
  gauge('tax12366_report_rollup_last_sweep_seconds', 'When the last sweep on this instance ended (Unix seconds)', (s) =>
    s.lastRunAt === null ? null : s.lastRunAt / 1000,
  );
  gauge('tax12366_report_rollup_last_sweep_duration_seconds', 'How long the last sweep took', (s) =>
    s.lastRunMs === null ? null : s.lastRunMs / 1000,
  );
  gauge(
    'tax12366_report_rollup_pending_days',
    'Closed days the last sweep found without a valid rollup and did not build',
    (s) => s.pending,
  );
  return registry;
}
