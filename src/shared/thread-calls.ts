import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/**
 * Work that must not run on the thread that serves calls (a month's report, a 1 MiB IVR upload's
 * checks), asked of a thread of its own by method name. The thread is started on first use and
 * again after it dies; a request in flight when it dies fails rather than waits. Answers come
 * back by structured clone, so what crosses is plain data.
 */

export interface ThreadRequest {
  id: number;
  method: string;
  params: unknown;
}
export type ThreadReply = { id: number; result: unknown } | { id: number; error: { name: string; message: string } };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

const BOOT = new URL('./thread-boot.mjs', import.meta.url);

export class ThreadCalls {
  /** The running thread and the requests it owes an answer; a new thread starts with none. */
  private current: { worker: Worker; pending: Map<number, Pending> } | undefined;
  private nextId = 1;
  private closed = false;

  /**
   * `entry`: the thread's script as compiled, a .js URL beside the caller. Compiled (dist/, npm
   * start, the image), it runs as it is; from source (tsx: npm run dev, the tests) the .ts beside
   * it runs through thread-boot.mjs, which registers tsx in the thread first (a worker's execArgv
   * cannot carry --import).
   */
  constructor(private readonly d: { name: string; entry: URL; workerData?: unknown; log: Logger }) {}

  call(method: string, params: unknown): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`${this.d.name} thread is closed`));
    const id = this.nextId++;
    const t = this.thread();
    return new Promise((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      // Referenced while a request is in flight, so its answer is awaited even where nothing else
      // keeps the process alive (a script, a bench); idle, the thread does not keep it alive.
      t.worker.ref();
      t.worker.postMessage({ id, method, params } satisfies ThreadRequest);
    }).finally(() => {
      if (t.pending.size === 0) t.worker.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.current;
    this.current = undefined;
    if (c) await c.worker.terminate();
  }

  private thread(): { worker: Worker; pending: Map<number, Pending> } {
    if (this.current) return this.current;
    const { name, entry, workerData, log } = this.d;
    const compiled = existsSync(fileURLToPath(entry));
    // No inherited execArgv: the loader, when needed, is registered once, in the thread.
    const worker = compiled
      ? new Worker(entry, { workerData, execArgv: [] })
      : new Worker(BOOT, { workerData, execArgv: [], argv: [new URL(entry.href.replace(/\.js$/, '.ts')).href] });
    const t = { worker, pending: new Map<number, Pending>() };
    worker.on('message', (reply: ThreadReply) => {
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
      log.error({ err }, `${name} thread failed`);
      fail(err);
    });
    worker.on('exit', (code) => {
      if (!this.closed) log.warn({ code }, `${name} thread exited`);
      fail(new Error(`${name} thread exited (${code})`));
    });
    worker.unref();
    this.current = t;
    return t;
  }
}

/** In the thread: answers each request with the named method's result, or the error it threw. */
export function serveThreadCalls(methods: Record<string, (params: never) => unknown>): void {
  const port = parentPort;
  if (!port) throw new Error('serveThreadCalls runs in a worker thread');
  port.on('message', (req: ThreadRequest) => {
    void (async (): Promise<ThreadReply> => {
      try {
        const method = methods[req.method];
        if (!method) throw new Error(`no method ${req.method} on this thread`);
        return { id: req.id, result: await method(req.params as never) };
      } catch (err) {
        const e = err as Error;
        return { id: req.id, error: { name: e.name, message: e.message } };
      }
    })().then((reply) => port.postMessage(reply));
  });
}
