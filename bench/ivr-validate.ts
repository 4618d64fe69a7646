/**
 * How long the largest IVR uploads take to check (core/ivr/validate.ts validateDefinition), on the
 * thread that serves calls: an upload is bounded by the config routes' 1 MiB body and by
 * IVR_LIMITS, and this fills both with the most expensive shapes. Each shape is validated
 * `--runs` times after 20 of warm-up; every run must be accepted (a refused one is not the
 * full check). Then the same uploads as the service checks them, on its IVR validation thread
 * (features/ivr/validate-thread.ts), against the same check on this thread, interleaved: what
 * matters to calls is the longest stall of this thread's event loop while an upload is checked
 * (the longest gap between the ticks of a 1 ms interval timer, per upload), and to ops the time to the answer.
 *
 *   npm run bench:ivr-validate [-- --runs 300] [--write]   (--write: the section in docs/benchmarks.md)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { IVR_LIMITS } from '../src/core/ivr/definition.js';
import { validateDefinition } from '../src/core/ivr/validate.js';
import { IvrValidationThread } from '../src/features/ivr/validate-thread.js';
import { writeSection } from './doc-section.js';
import { percentile } from './routing-data.js';

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 300;
const WARMUP = 20;
const BODY_LIMIT = 1024 * 1024;

/** The most prompts, each as long as allowed (Chinese: 3 bytes a character in the body). */
function prompts(n: number): Record<string, { zh: string; en: string }> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, k) => [
      `p${k}`,
      { zh: '请按键选择您要咨询的业务'.repeat(40).slice(0, 480), en: 'Press a key. '.repeat(30).slice(0, 380) },
    ]),
  );
}

/** A tree of menus, every digit used, down to queue leaves: the reachability and cycle checks' worst case. */
function menus(): unknown {
  const nodes: Record<string, unknown> = {};
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];
  const count = IVR_LIMITS.nodes - 2;
  for (let k = 0; k < count; k++) {
    const children = keys.map((_, d) => k * keys.length + d + 1).filter((c) => c < count);
    nodes[`m${k}`] = {
      kind: 'menu',
      prompt: `p${k % 20}`,
      options: Object.fromEntries(keys.map((key, d) => [key, children[d] !== undefined ? `m${children[d]}` : 'q'])),
      onRetriesExhausted: 'bye',
      conventions: { back: false, repeat: false, operator: false },
    };
  }
  nodes.q = { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, line: '国税' };
  nodes.bye = { kind: 'hangup' };
  return { name: 'largest menus', start: 'm0', prompts: prompts(20), nodes };
}

/** Office-hours nodes with every holiday, make-up day and range allowed, as many as the body holds. */
function hours(): unknown {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  const ranges = Array.from({ length: IVR_LIMITS.ranges }, (_, h) => [
    `${String(h).padStart(2, '0')}:00`,
    `${String(h).padStart(2, '0')}:30`,
  ]);
  const node = (next: string) => ({
    kind: 'hours',
    weekly: { mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges, sat: ranges, sun: ranges },
    holidays: Array.from({ length: IVR_LIMITS.dates }, (_, k) => ({ from: day(k * 3), to: day(k * 3 + 1), name: '假日' })),
    workdays: Array.from({ length: IVR_LIMITS.dates }, (_, k) => day(k * 3 + 2)),
    workdayHours: ranges,
    open: next,
    closed: 'bye',
  });
  const nodes: Record<string, unknown> = {
    q: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, line: '国税' },
    bye: { kind: 'hangup' },
  };
  let n = 0;
  const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
  while (bytes(nodes) + bytes(node('h0')) < BODY_LIMIT - 1000) {
    nodes[`h${n}`] = node(`h${n + 1}`);
    n++;
  }
  (nodes[`h${n - 1}`] as { open: string }).open = 'q';
  return { name: 'largest hours', start: 'h0', prompts: {}, nodes };
}

/** The most prompts at their longest, with a small tree. */
function manyPrompts(): unknown {
  return {
    name: 'largest prompts',
    start: 'm',
    prompts: prompts(IVR_LIMITS.prompts),
    nodes: {
      m: { kind: 'menu', prompt: 'p0', options: { '1': 'q' }, onRetriesExhausted: 'bye' },
      q: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, line: '国税' },
      bye: { kind: 'hangup' },
    },
  };
}

const shapes = { menus: menus(), hours: hours(), prompts: manyPrompts() };
const times: Record<string, number[]> = Object.fromEntries(Object.keys(shapes).map((k) => [k, []]));
// Interleaved: each round validates every shape once, so a slow moment of the machine is shared.
for (let r = 0; r < WARMUP + RUNS; r++)
  for (const [name, input] of Object.entries(shapes)) {
    // A fresh copy each time, as a parsed request body is.
    const copy = structuredClone(input);
    const t0 = performance.now();
    const v = validateDefinition(copy);
    const t1 = performance.now();
    if (!v.ok) throw new Error(`${name} refused: ${JSON.stringify(v.errors).slice(0, 500)}`);
    if (r >= WARMUP) times[name]!.push(t1 - t0);
  }

const figures = Object.entries(shapes).map(([name, input]) => {
  const t = times[name]!;
  return {
    shape: name,
    bodyBytes: Buffer.byteLength(JSON.stringify(input)),
    nodes: Object.keys((input as { nodes: object }).nodes).length,
    runs: t.length,
    p50Ms: percentile(t, 50),
    p90Ms: percentile(t, 90),
    maxMs: Math.max(...t),
  };
});
// The service's way against this thread's, each upload timed from the request to the answer, with
// this thread's event loop watched meanwhile. Interleaved per upload, after a warm-up of each.
const thread = new IvrValidationThread(pino({ level: 'silent' }));
const modes = ['this thread', 'validation thread'] as const;
type Mode = (typeof modes)[number];
const stall: Record<string, Record<Mode, number[]>> = {};
const answer: Record<string, Record<Mode, number[]>> = {};
const settle = () => new Promise((r) => setTimeout(r, 5));
for (const name of Object.keys(shapes)) {
  stall[name] = { 'this thread': [], 'validation thread': [] };
  answer[name] = { 'this thread': [], 'validation thread': [] };
}
// The longest gap between ticks of a 1 ms timer: how long this thread could not run anything else.
const gaps = { last: performance.now(), max: 0 };
const ticker = setInterval(() => {
  const now = performance.now();
  gaps.max = Math.max(gaps.max, now - gaps.last);
  gaps.last = now;
}, 1);
for (let r = 0; r < WARMUP + RUNS; r++)
  for (const [name, input] of Object.entries(shapes))
    for (const mode of r % 2 ? [...modes].reverse() : modes) {
      const copy = structuredClone(input);
      await settle();
      gaps.last = performance.now();
      gaps.max = 0;
      const t0 = performance.now();
      const v = mode === 'this thread' ? await Promise.resolve().then(() => validateDefinition(copy)) : await thread.validate(copy);
      const t1 = performance.now();
      // One more turn of the loop, so a stall that ended with the answer is sampled.
      await settle();
      if (!v.ok) throw new Error(`${name} refused (${mode}): ${JSON.stringify(v.errors).slice(0, 500)}`);
      if (r >= WARMUP) {
        stall[name]![mode].push(gaps.max);
        answer[name]![mode].push(t1 - t0);
      }
    }
clearInterval(ticker);
await thread.close();
const offThread = Object.keys(shapes).flatMap((name) =>
  modes.map((mode) => ({
    shape: name,
    mode,
    runs: stall[name]![mode].length,
    stallP50Ms: percentile(stall[name]![mode], 50),
    stallP90Ms: percentile(stall[name]![mode], 90),
    stallMaxMs: Math.max(...stall[name]![mode]),
    answerP50Ms: percentile(answer[name]![mode], 50),
    answerP90Ms: percentile(answer[name]![mode], 90),
  })),
);

const rows = Object.entries(shapes).map(([name, input]) => {
  const t = times[name]!;
  const bytes = Buffer.byteLength(JSON.stringify(input));
  const nodes = Object.keys((input as { nodes: object }).nodes).length;
  const f = (x: number) => x.toFixed(1);
  return `| ${name} | ${(bytes / 1024).toFixed(0)} KiB | ${nodes} | ${f(percentile(t, 50))} | ${f(percentile(t, 90))} | ${f(Math.max(...t))} |`;
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
const section = [
  `Run ${new Date().toISOString()} on ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, commit ${commit}. Command: \`npm run bench:ivr-validate -- --runs ${RUNS} --write\`.`,
  `The largest IVR uploads the limits allow, each checked ${RUNS} times after ${WARMUP} of warm-up, shapes interleaved; all accepted.`,
  '',
  '| shape | body | nodes | p50 (ms) | p90 (ms) | max (ms) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  `Checked as the service checks an upload, on its IVR validation thread, against the same check on this thread: ${RUNS} uploads of each shape each way after ${WARMUP} of warm-up, interleaved. Stall: the longest delay of this thread's event loop while the upload was checked (what every call's next step would wait); answer: from the request to the result.`,
  '',
  '| shape | checked on | stall p50 (ms) | stall p90 (ms) | stall max (ms) | answer p50 (ms) | answer p90 (ms) |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...offThread.map((o) => {
    const f = (x: number) => x.toFixed(1);
    return `| ${o.shape} | ${o.mode} | ${f(o.stallP50Ms)} | ${f(o.stallP90Ms)} | ${f(o.stallMaxMs)} | ${f(o.answerP50Ms)} | ${f(o.answerP90Ms)} |`;
  }),
].join('\n');
process.stdout.write(`${section}\n`);
if (process.argv.includes('--write')) {
  writeSection(path.join(root, 'docs', 'benchmarks.md'), 'ivr-validate', section);
  writeFileSync(
    path.join(root, 'docs', 'benchmarks', 'ivr-validate.json'),
    `${JSON.stringify({ at: new Date().toISOString(), commit, cores: os.cpus().length, node: process.version, warmup: WARMUP, figures, offThread }, null, 2)}\n`,
  );
}
