import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LogFormat } from '../../shared/logger.js';
import type { Logger } from 'pino';
import { loadAreaCodes, type ReportService } from './service.js';

const COMPILED_ENTRY = new URL('./worker-entry.js', import.meta.url);
const WORKER_MAIN = existsSync(fileURLToPath(COMPILED_ENTRY)) ? COMPILED_ENTRY : new URL('./worker-boot.mjs', import.meta.url);

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
export interface WorkerRequest {
  id: number;
  method: Method;
  params: unknown;
}
export type WorkerReply = { id: number; result: unknown } | { id: number; error: { name: string; message: string } };

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
  /** The running thread and the requests it owes an answer; a new thread starts with none. */
  private current: { worker: Worker; pending: Map<number, Pending> } | undefined;
  private nextId = 1;
  private closed = false;

  constructor(private readonly d: ReportsWorkerData & { log: Logger }) {
    this.tz = d.tz;
  }

  readonly intervals = this.forward('intervals');
  readonly queues = this.forward('queues');
  readonly agents = this.forward('agents');
  readonly abandons = this.forward('abandons');
  readonly regions = this.forward('regions');
  /** The background sweep's building of missing rollups (rollup-sweep.ts): on this thread, as a report's would be. */
  readonly catchUp = this.forward('catchUp');

  async close(): Promise<void> {
    this.closed = true;
    const c = this.current;
    this.current = undefined;
    if (c) await c.worker.terminate();
  }

  /** A method with ReportService's signature whose work is done on the thread. */
  private forward<M extends Method>(method: M): ReportService[M] {
    return ((params: unknown) => this.call(method, params)) as ReportService[M];
  }

  private call(method: Method, params: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('reports are closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = this.thread();
      t.pending.set(id, { resolve, reject });
      t.worker.postMessage({ id, method, params } satisfies WorkerRequest);
    });
  }

  private thread(): { worker: Worker; pending: Map<number, Pending> } {
    if (this.current) return this.current;
    const { log, ...data } = this.d;
    // Compiled (dist/, npm start, the image), worker-entry.js sits beside this file and runs as it is.
    // From source (tsx: npm run dev, the tests), worker-boot.mjs registers tsx in the thread first.
    // No inherited execArgv: the loader, when needed, is registered once, there.
    const worker = new Worker(WORKER_MAIN, { workerData: data, execArgv: [] });
    const t = { worker, pending: new Map<number, Pending>() };
    worker.on('message', (reply: WorkerReply) => {
      const p = t.pending.get(reply.id);
      if (!p) return;
      t.pending.delete(reply.id);
      if ('error' in reply) p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
      else p.resolve(reply.result);
    });
    const fail = (err: Error) => {
      if (this.current === t) this.current = undefined;
      for (const p of t.pending.values()) p.reject(err);
      t.pending.clear();
    };
    worker.on('error', (err) => {
      log.error({ err }, 'reports thread failed');
      fail(err);
    });
    worker.on('exit', (code) => {
      if (!this.closed) log.warn({ code }, 'reports thread exited');
      fail(new Error(`reports thread exited (${code})`));
    });
    // An idle thread does not keep the process alive; a request in flight is awaited by its caller.
    worker.unref();
    this.current = t;
    return t;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}
