/**
 * One service instance against two (issue 24's goal: two instances route >= 1.8 x one instance's
 * calls/s at < 1 % failures). Same machine, same Asterisk, same Redis and Postgres, the same floor
 * (200 SIPp agents answering at once and talking 2 s: 100 calls/s of capacity, so agents are never
 * the limit), the same open load (SIPp at a fixed rate, its limit above what is ever open: calls are
 * placed at the rate whatever happens). At each rate the two systems run in turn, repeated; both
 * are judged by the same test: the calls answered (history in Postgres) against the calls placed.
 * The machine's CPU (all cores, /proc/stat) is sampled over each run.
 *
 *   npm run bench:instances -- [--rates 30,45,60] [--seconds 30] [--repeats 1] [--write]
 *
 * --write: docs/benchmarks/instances.json and the section between the instances markers in
 * docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { closeFloor, openFloor, releaseStasisApp } from './call-load.js';
import { writeSection } from './doc-section.js';
import { killHard, spawnService, stopGracefully, type ServiceProcess } from '../test/support/process.js';
import { REPO, requireEnv } from '../test/support/rig.js';
import { sipp } from '../test/support/sipp.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const RATES = arg('rates', '30,45,60').split(',').map(Number);
const SECONDS = Number(arg('seconds', '30'));
const REPEATS = Number(arg('repeats', '1'));
const AGENTS = 200;
const TALK_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prefix = `t12bench:${randomBytes(3).toString('hex')}`;
const envOf = (id: string) => ({
  REDIS_PREFIX: prefix,
  INSTANCE_ID: id,
  ARI_APP: `tax12366-b${id}`,
  LOG_LEVEL: 'warn',
  PREFERRED_AGENT_WITHIN_H: '0',
});

/** Busy and total jiffies of all cores. */
function cpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

interface Run {
  system: 'one' | 'two';
  rate: number;
  repeat: number;
  placed: number;
  sippFailed: number;
  answered: number;
  achievedPerS: number;
  failedPct: number;
  machineCpuPct: number;
}

async function load(pool: pg.Pool, tag: string, rate: number, seconds: number): Promise<Omit<Run, 'system' | 'rate' | 'repeat'>> {
  const calls = Math.round(rate * seconds);
  const started = new Date();
  const c0 = cpu();
  const r = await sipp({
    scenario: 'load-caller.xml',
    ip: '127.0.0.2',
    keys: { caller: tag, dialed: '12366' },
    calls,
    rate,
    limit: calls,
    timeoutS: seconds + 120,
  }).done;
  const c1 = cpu();
  await sleep(3000);
  const sippFailed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.output)?.[1] ?? (r.code === 0 ? 0 : calls));
  const answered = (
    await pool.query("SELECT count(*)::int AS n FROM calls WHERE caller LIKE $1 AND started_at >= $2 AND outcome = 'answered'", [
      `${tag}%`,
      started,
    ])
  ).rows[0].n as number;
  return {
    placed: calls,
    sippFailed,
    answered,
    achievedPerS: answered / seconds,
    failedPct: (100 * (calls - answered)) / calls,
    machineCpuPct: (100 * (c1.busy - c0.busy)) / (c1.total - c0.total),
  };
}

async function main() {
  const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
  const a = await spawnService(envOf('ia'));
  let b: ServiceProcess | undefined;
  const runs: Run[] = [];
  try {
    const floor = await openFloor(a.url, AGENTS, TALK_MS);
    const run = String(Date.now() % 1e5).padStart(5, '0');
    // Warm-up: both processes' code paths and Asterisk's, not counted.
    b = await spawnService(envOf('ib'));
    await sleep(3000);
    await load(pool, `0576${run}0`, 20, 10);
    let n = 1;
    for (let repeat = 0; repeat < REPEATS; repeat++)
      for (const rate of RATES)
        for (const system of repeat % 2 ? (['two', 'one'] as const) : (['one', 'two'] as const)) {
          if (system === 'one' && b) {
            await stopGracefully(b);
            await releaseStasisApp(envOf('ib').ARI_APP).catch(() => undefined);
            b = undefined;
          }
          if (system === 'two' && !b) b = await spawnService(envOf('ib'));
          // The app list the dialplan reads is renewed at each heartbeat (500 ms).
          await sleep(3000);
          const r = { system, rate, repeat, ...(await load(pool, `0576${run}${n++}`, rate, SECONDS)) };
          runs.push(r);
          console.log(JSON.stringify(r));
        }
    await closeFloor(floor);
  } finally {
    if (b) await stopGracefully(b).catch(() => killHard(b!));
    await stopGracefully(a).catch(() => killHard(a));
    await pool.end();
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
  const out = { commit, at: new Date().toISOString(), agents: AGENTS, talkMs: TALK_MS, seconds: SECONDS, cores: cpuCount(), runs };
  if (process.argv.includes('--write')) write(out);
}

const cpuCount = () =>
  readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('processor')).length;

function write(out: { at: string; seconds: number; cores: number; runs: Run[] }) {
  writeFileSync(path.join(REPO, 'docs', 'benchmarks', 'instances.json'), `${JSON.stringify(out, null, 1)}\n`);
  const rows = out.runs.map(
    (r) =>
      `| ${r.rate} | ${r.system} | ${r.placed} | ${r.answered} | ${r.achievedPerS.toFixed(1)} | ${r.failedPct.toFixed(1)} % | ${r.machineCpuPct.toFixed(0)} % |`,
  );
  const section = [
    `### One instance against two (bench:instances, ${out.at.slice(0, 10)})`,
    '',
    `${out.seconds} s per run at each offered rate (an open load), 200 agents talking 2 s, one Asterisk; ${out.cores} cores shared by SIPp, Asterisk, Redis, Postgres and the instances. Calls answered from history.`,
    '',
    '| offered calls/s | instances | placed | answered | answered/s | not answered | machine CPU |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  writeSection(path.join(REPO, 'docs', 'benchmarks.md'), 'instances', section);
}

await main();
