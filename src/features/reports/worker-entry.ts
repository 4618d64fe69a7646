/**
 * The reports' own thread (see in-worker.ts). Builds rollups and reports with its own Postgres
 * pool, so a supervisor's month report or today's live figures never stop the main thread from
 * routing calls.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { createLogger } from '../../shared/logger.js';
import { ReportService } from './service.js';
import { serveThreadCalls } from '../../shared/thread-calls.js';
import type { ReportsWorkerData } from './in-worker.js';

const data = workerData as ReportsWorkerData;
const pool = new pg.Pool({ connectionString: data.databaseUrl, max: data.poolSize });
const log = createLogger({ level: data.logLevel, base: { thread: 'reports' }, format: data.logFormat ?? 'auto' });
pool.on('error', (err) => log.warn({ err: err.message }, 'reports pool connection lost'));
const reports = new ReportService({ pool, tz: data.tz, shortAbandonS: data.shortAbandonS, log });

serveThreadCalls({
  intervals: (p) => reports.intervals(p),
  queues: (p) => reports.queues(p),
  agents: (p) => reports.agents(p),
  abandons: (p) => reports.abandons(p),
  regions: (p) => reports.regions(p),
  catchUp: (p) => reports.catchUp(p),
});
