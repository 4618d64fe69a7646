import type { LogFormat } from '../../shared/logger.js';
import type { Logger } from 'pino';
import { ThreadCalls } from '../../shared/thread-calls.js';
import { loadAreaCodes, type ReportService } from './service.js';

/** What the HTTP routes and the live figures use of the reports. */
export type Reports = Pick<ReportService, 'tz' | 'areaCodes' | 'intervals' | 'queues' | 'agents' | 'abandons' | 'regions'>;
type Method = 'intervals' | 'queues' | 'agents' | 'abandons' | 'regions' | 'catchUp';

export interface ReportsWorkerData {
  databaseUrl: string;
  poolSize: number;
  tz: string;
  shortAbandonS: number;
  logLevel: string;
  /** The main thread's LOG_FORMAT; absent means auto. */
  logFormat?: LogFormat;
}
/**
 * The reports, computed on a thread of their own. A day's figures are JavaScript over its raw
 * rows (0.7 s a day at 19,000 calls, docs/benchmarks.md), and today's live figures rebuild today
 * every LIVE_TODAY_EVERY_S: on the main thread each of those was time in which no call was
 * routed. The thread is started on first use and again after it dies; a request in flight when
 * it dies fails rather than waits.
 */
export class ReportsInWorker implements Reports {
  readonly tz: string;
  readonly areaCodes = loadAreaCodes();
  private readonly thread: ThreadCalls;

  constructor(d: ReportsWorkerData & { log: Logger }) {
    const { log, ...data } = d;
    this.tz = d.tz;
    this.thread = new ThreadCalls({ name: 'reports', entry: new URL('./worker-entry.js', import.meta.url), workerData: data, log });
  }

  readonly intervals = this.forward('intervals');
  readonly queues = this.forward('queues');
  readonly agents = this.forward('agents');
  readonly abandons = this.forward('abandons');
  readonly regions = this.forward('regions');
  /** The background sweep's building of missing rollups (rollup-sweep.ts): on this thread, as a report's would be. */
  readonly catchUp = this.forward('catchUp');

  close(): Promise<void> {
    return this.thread.close();
  }

  /** A method with ReportService's signature whose work is done on the thread. */
  private forward<M extends Method>(method: M): ReportService[M] {
    return ((params: unknown) => this.thread.call(method, params)) as ReportService[M];
  }
}
