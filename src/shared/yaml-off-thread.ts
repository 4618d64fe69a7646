import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * YAML parsed on a worker thread. The `yaml` package parses about 300 KB a second: a 1 MiB
 * upload parsed where calls are served would stall every call's timing for seconds. One worker,
 * started on first use and kept; documents are parsed one after another (uploads are rare and
 * from ops), the result comes back by structured clone.
 */

export class YamlSyntaxError extends Error {}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  message?: string;
}

// The worker is plain JavaScript given as a string, requiring `yaml` by its resolved path: the
// same code then runs from src/ under tsx and from dist/ under node, with no worker file to ship.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const YAML = require(${JSON.stringify(createRequire(import.meta.url).resolve('yaml'))});
parentPort.on('message', ({ id, text }) => {
  try {
    parentPort.postMessage({ id, ok: true, value: YAML.parse(text, { prettyErrors: true }) });
  } catch (err) {
    const pos = err && err.linePos && err.linePos[0];
    const first = String((err && err.message) || err).split('\\n')[0];
    const message = 'YAML is not well-formed' + (pos ? ' at line ' + pos.line + ', column ' + pos.col : '') + ': ' + first;
    parentPort.postMessage({ id, ok: false, message });
  }
});
`;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function started(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER, { eval: true });
  // Idle, it must not keep the process alive at shutdown.
  w.unref();
  w.on('message', (r: Reply) => {
    const p = waiting.get(r.id);
    waiting.delete(r.id);
    if (r.ok) p?.resolve(r.value);
    else p?.reject(new YamlSyntaxError(r.message));
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const p of waiting.values()) p.reject(err);
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the YAML worker exited (${code})`)));
  return (worker = w);
}

/** The document as YAML.parse returns it; a YamlSyntaxError names the line and column. */
export function parseYamlOffThread(text: string): Promise<unknown> {
  const w = started();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    // Referenced while a document is in the works, so a parse in progress is awaited.
    w.ref();
    w.postMessage({ id, text });
  }).finally(() => {
    if (waiting.size === 0) worker?.unref();
  });
}
