/**
 * The reports' own thread (see in-worker.ts). Builds rollups and reports with its own Postgres
 * pool, so a supervisor's month report or today's live figures never stop the main thread from
 * routing calls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { createLogger } from '../../shared/logger.js';
import { ReportService } from './service.js';
import type { ReportsWorkerData, WorkerReply, WorkerRequest } from './in-worker.js';

const data = workerData as ReportsWorkerData;
const pool = new pg.Pool({ connectionString: data.databaseUrl, max: data.poolSize });
const log = createLogger({ level: data.logLevel, base: { thread: 'reports' }, format: data.logFormat ?? 'auto' });
pool.on('error', (err) => log.warn({ err: err.message }, 'reports pool connection lost'));
const reports = new ReportService({ pool, tz: data.tz, shortAbandonS: data.shortAbandonS, log });

parentPort!.on('message', (req: WorkerRequest) => {
  void (async (): Promise<WorkerReply> => {
    try {
      return { id: req.id, result: await reports[req.method](req.params as never) };
    } catch (err) {
      const e = err as Error;
      return { id: req.id, error: { name: e.name, message: e.message } };
    }
  })().then((reply) => parentPort!.postMessage(reply));
});
