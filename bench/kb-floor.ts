/**
 * The floor under bench:kb's "while 40 calls/s are routed" row: how long the cheapest Postgres
 * round trip (`SELECT 1`) and a small HTTP request to the service (/healthz: it pings Postgres,
 * Redis and Asterisk) take on this
 * machine while the same call load runs, and how busy the CPUs are meanwhile. If `SELECT 1`
 * alone has a p99 far above 50 ms under the load, no search design reaches the goal here: the
 * wait is for a CPU, not for the search.
 *
 * `npm run bench:kb-floor` (the rig up, run under the rig lock). Writes docs/benchmarks/kb-floor.json.
 * Same open load as bench:kb: each probe leaves at its time whatever the others do.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { REPO, requireEnv } from '../test/support/rig.js';
import { killHard, spawnService } from '../test/support/process.js';
import { unlinkPrefix } from '../test/support/redis.js';
import { closeFloor, openFloor, placeCalls, releaseStasisApp, type CallFloor } from './call-load.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PROBES = arg('probes', 2000);
const RATE = arg('rate', 40);
const CALL_RATE = arg('call-rate', 40);
const RUN = String(Date.now() % 100000).padStart(5, '0');
const PREFIX = `kbfloor${RUN}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 10) / 10;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

/** CPU time counters from /proc/stat: busy and total jiffies. */
function cpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Fires `probe` RATE times a second for PROBES probes (open load), in parallel with itself. */
async function openLoad(probe: () => Promise<unknown>): Promise<{ ms: number[]; errors: number; seconds: number }> {
  const ms: number[] = [];
  let errors = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < PROBES; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(
      probe().then(
        () => void ms.push(performance.now() - due),
        () => void errors++,
      ),
    );
  }
  await Promise.all(pending);
  return { ms, errors, seconds: (performance.now() - start) / 1000 };
}

function row(label: string, r: { ms: number[]; errors: number; seconds: number }, cpuBusy: number) {
  return {
    label,
    probes: r.ms.length + r.errors,
    offeredPerS: RATE,
    achievedPerS: round((r.ms.length + r.errors) / r.seconds),
    errors: r.errors,
    p50: round(pct(r.ms, 50)),
    p95: round(pct(r.ms, 95)),
    p99: round(pct(r.ms, 99)),
    max: round(Math.max(...r.ms)),
    cpuBusyPct: round(cpuBusy),
  };
}

async function measure(label: string, probe: () => Promise<unknown>) {
  const before = cpu();
  const r = await openLoad(probe);
  const after = cpu();
  return row(label, r, (100 * (after.busy - before.busy)) / (after.total - before.total));
}

async function main(): Promise<void> {
  const svc = await spawnService({ REDIS_PREFIX: PREFIX, INSTANCE_ID: 'kbfloor', LOG_LEVEL: 'warn' });
  // A pool of its own, as the KB has (features/kb): nothing else queues on it.
  const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
  const health = () => fetch(`${svc.url}/healthz`).then((r) => r.arrayBuffer());
  const selectOne = () => pool.query('SELECT 1');
  let floor: CallFloor | undefined;
  const rows = [];
  try {
    // Warm-up, then the machine at rest.
    for (let i = 0; i < 200; i++) await Promise.all([selectOne(), health()]);
    rows.push(await measure('SELECT 1, no calls', selectOne));
    rows.push(await measure('GET /healthz, no calls', health));
    floor = await openFloor(svc.url, 120, 2000);
    const seconds = Math.ceil((2 * PROBES) / RATE) + 15;
    const calls = placeCalls(RUN, CALL_RATE, seconds);
    await sleep(5000);
    rows.push(await measure(`SELECT 1, ${CALL_RATE} calls/s`, selectOne));
    rows.push(await measure(`GET /healthz, ${CALL_RATE} calls/s`, health));
    const placed = await calls;
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
    const result = {
      date: new Date().toISOString(),
      commit,
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
      command: `npm run bench:kb-floor -- --probes ${PROBES} --rate ${RATE} --call-rate ${CALL_RATE}`,
      calls: {
        offeredPerS: CALL_RATE,
        seconds,
        placed: placed.placed,
        failed: placed.failed,
        achievedPerS: round(placed.placed / seconds),
      },
      rows,
    };
    writeFileSync(path.join(REPO, 'docs/benchmarks/kb-floor.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (floor) await closeFloor(floor).catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
    await releaseStasisApp().catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
    await killHard(svc);
    await pool.end();
    const redis = new Redis(requireEnv('REDIS_URL'));
    await unlinkPrefix(redis, PREFIX).finally(() => redis.disconnect());
  }
}

await main();
