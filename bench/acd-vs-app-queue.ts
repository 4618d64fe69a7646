/**
 * The same SIPp load through the service's ACD and through Asterisk's own app_queue, on the
 * same Asterisk, the same registered agents, in one run. Writes a section of docs/benchmarks.md.
 *
 *   npm run bench:acd -- --agents 400 --rates 5,40,80,120 --seconds 20 --repeats 3
 *
 * Needs the rig (scripts/rig.sh up) and nothing else using the Stasis app: run it alone.
 *
 * Fair by construction (issue 20): each system runs in blocks, interleaved A/B/A/B for --repeats
 * rounds; every block starts with a warm-up (calls at 40/s, not measured) after its setup, so
 * neither a cold service nor a cold Asterisk is measured. Each (system, rate) gets at least
 * --min-samples calls over its repeats (a rate runs longer when needed) and its p50/p99 are taken
 * over all of them; the run-to-run spread is printed beside. SIPp's open-call cap (-l) is set far
 * above what a rate can hold, so the load stays open; the rate actually achieved is measured from
 * Asterisk (bench/ami-timeline.ts). Both dialplans answer the caller before handing it over
 * (Answer() then Queue() or Stasis()), so both are timed from the same point after the answer.
 * Double-booking is one test for both, from AMI. CPU per routed call: Asterisk plus the service
 * (the ACD), Asterisk alone (app_queue), from /proc; Postgres and Redis beside it, for the record.
 * Measured per rate: calls placed, calls that reached an agent, failures, time from entering
 * the queue to the agent's phone being dialled (p50/p99), agents double-booked, and the
 * service's CPU and memory. Both systems are timed to the same Asterisk event, AMI DialBegin
 * of the agent's channel; queue entry is the dialplan handing the call to Queue() or to Stasis()
 * (AMI Newexten), so both ends of both systems' times come through the same AMI queue.
 *
 * Then an overload: only OVERLOAD_AGENTS agents, callers at 105 % of what they can take, and
 * how long agents sat free while callers waited (bench/idle-while-waiting.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { sipp } from '../test/support/sipp.js';
import { freePorts, REPO, ROOTFS, requireEnv } from '../test/support/rig.js';
import { killHard, spawnService, stopGracefully, type ServiceProcess } from '../test/support/process.js';
import { resetToShipped, shippedRoutingWith, type ApiCall } from '../test/support/ivr.js';
import { unlinkPrefix } from '../test/support/redis.js';
import { AriHttp } from '../src/adapters/ari/http.js';
import { AriClient } from '../src/adapters/ari/client.js';
import { AmiTimeline } from './ami-timeline.js';
import { idleWhileWaiting, type Span } from './idle-while-waiting.js';
import { originateFloor } from './originate-floor.js';
import { BENCH_TRUNK_IP, enableBenchAsterisk } from './asterisk-setup.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce<string[][]>((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1] ?? '']] : acc), []),
);
const AGENTS = Number(args.agents ?? 400);
const RATES = String(args.rates ?? '5,40,80,120')
  .split(',')
  .map(Number);
const SECONDS = Number(args.seconds ?? 20);
/** Rounds of A/B blocks. */
const REPEATS = Number(args.repeats ?? 3);
/** Calls per (system, rate) over all repeats, at least: a p99 from fewer is one unlucky call. */
const MIN_SAMPLES = Number(args['min-samples'] ?? 2000);
/** Unmeasured calls at 40/s at the start of every block. */
const WARMUP_S = Number(args['warmup-seconds'] ?? 10);
/** How long one run of a rate lasts so that the repeats together reach MIN_SAMPLES. */
const secondsFor = (rate: number) => Math.max(SECONDS, Math.ceil(MIN_SAMPLES / REPEATS / rate));
const TALK_MS = Number(args['talk-ms'] ?? 2000);
/** Which to run: both by default; one alone to compare versions of the ACD. */
const SYSTEMS = String(args.systems ?? 'acd,app_queue').split(',');
const OVERLOAD_AGENTS = Number(args['overload-agents'] ?? 20);
const OVERLOAD_S = Number(args['overload-seconds'] ?? 60);
/** Single ARI and AMI originates on an otherwise idle Asterisk (bench/originate-floor.ts); 0 skips. */
const FLOOR_CALLS = Number(args['floor-calls'] ?? 200);
/** A directory for a V8 CPU profile of the ACD's service over its whole run (then stopped with SIGTERM, not killed). */
const PROFILE_DIR: string | undefined = args.profile || undefined;
/** 105 % of what the agents can take if every call lasts exactly TALK_MS: calls per OVERLOAD_PERIOD_MS. */
const OVERLOAD_PERIOD_MS = TALK_MS;
const OVERLOAD_CALLS_PER_PERIOD = Math.round(OVERLOAD_AGENTS * 1.05);
const PASSWORD = 'bench-agent-pass';
const RUN = String(Date.now() % 100000).padStart(5, '0');
const PREFIX = `bench${RUN}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

interface RunResult {
  system: 'ACD (this service)' | 'app_queue';
  rate: number;
  /** Which round of blocks this run belongs to (1-based). */
  repeat: number;
  /** Queue entries per second Asterisk actually saw (the offered rate is `rate`). */
  achievedRate: number;
  /** Every call's time to agent (ms): pooled over the repeats for the p99. */
  samples: number[];
  /** The common test from AMI: dials on an agent with an earlier channel not hung up; distinct agents. */
  dialWhileOpen: number;
  dialWhileOpenAgents: number;
  /** CPU ms per call that reached an agent: Asterisk + the service (ACD), Asterisk (app_queue). */
  cpuMsPerCall: number;
  /** Postgres and Redis, ms per call reached, beside it (the ACD writes history; app_queue does not). */
  storesCpuMsPerCall: number;
  asteriskRssMb: number;
  placed: number;
  reached: number;
  failedPct: number;
  p50: number;
  p99: number;
  doubleBooked: number;
  cpuPct?: number;
  rssMb?: number;
  /** Asterisk's CPU over the same span (100 % = one core): the ACD's requests and events cost Asterisk too. */
  asteriskCpuPct: number;
  /** ACD only: queue entry to the offer decided (call.agent_offered), before ARI is asked to dial. */
  decidedP50?: number;
  decidedP99?: number;
  /** ACD only: the offer decided to Asterisk dialling the agent (ARI originate), per call. */
  dialP50?: number;
  dialP99?: number;
  /** ACD only, from the service's /metrics over the rate: how late its event loop ran (ms). */
  loopLagP99?: number;
  loopLagMax?: number;
  /** ACD only: garbage collections that paused the service 5 ms or more during the rate. */
  longGcs?: number;
}

interface OverloadResult {
  system: RunResult['system'];
  placed: number;
  reached: number;
  failedPct: number;
  /** Queue entry to the first agent dialled (or leaving), ms. */
  waitP50: number;
  waitP99: number;
  waitMax: number;
  /** Agent-ms an agent was free while a caller waited. */
  idleAgentMs: number;
  doubleBooked: number;
  dialWhileOpen: number;
  dialWhileOpenAgents: number;
  achievedRate: number;
}

/**
 * The service's process figures from its /metrics. Reading it resets the event-loop delay
 * histogram (prom-client), so a read before a rate and one after give that rate's delay.
 */
async function processFigures(url: string): Promise<{ lagP99: number; lagMax: number; gcOver5ms: number }> {
  const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}` } });
  const text = await r.text();
  const value = (re: RegExp) => [...text.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
  // Node samples the loop with a timer (every 10 ms here) and records each interval whole: the
  // shortest interval stands for "on time", and what exceeds it is how late the loop was.
  const onTime = value(/^nodejs_eventloop_lag_min_seconds (\S+)$/gm) * 1000;
  return {
    lagP99: value(/^nodejs_eventloop_lag_p99_seconds (\S+)$/gm) * 1000 - onTime,
    lagMax: value(/^nodejs_eventloop_lag_max_seconds (\S+)$/gm) * 1000 - onTime,
    gcOver5ms:
      value(/^nodejs_gc_duration_seconds_count\{[^}]*\} (\S+)$/gm) -
      value(/^nodejs_gc_duration_seconds_bucket\{le="0.005",[^}]*\} (\S+)$/gm),
  };
}

async function api(url: string, method: string, p: string, body?: unknown) {
  const r = await fetch(`${url}${p}`, {
    method,
    headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
  return r.json();
}

function agentIds(): string[] {
  return Array.from({ length: AGENTS }, (_, i) => String(600000 + i));
}

/** One SIPp registers every agent, all with the same contact: one SIPp phone answers for all. */
async function registerAll(contactPort: number): Promise<void> {
  const dir = path.join(ROOTFS, 'tmp', 'tax12366-sipp');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'bench-agents.csv'),
    `SEQUENTIAL\n${agentIds()
      .map((id) => `${id};${PASSWORD}`)
      .join('\n')}\n`,
  );
  const scenario = readFileSync(path.join(REPO, 'test/sipp/register.xml'), 'utf8')
    .replaceAll('[user]', '[field0]')
    .replaceAll('password=[password]', 'password=[field1]');
  writeFileSync(path.join(dir, 'bench-register.xml'), scenario);
  execFileSync(
    'chroot',
    [
      ROOTFS,
      'sipp',
      '127.0.0.1:5060',
      '-sf',
      '/tmp/tax12366-sipp/bench-register.xml',
      '-inf',
      '/tmp/tax12366-sipp/bench-agents.csv',
      '-i',
      '127.0.0.1',
      '-p',
      String(freePorts().sip),
      '-m',
      String(AGENTS),
      '-r',
      '200',
      '-key',
      'contact_port',
      String(contactPort),
      '-key',
      'expires',
      '3600',
      '-timeout',
      '60s',
      '-nostdin',
    ],
    { stdio: 'ignore' },
  );
}

function asteriskPid(): number {
  return Number(readFileSync(path.join(ROOTFS, 'run/asterisk/asterisk.pid'), 'utf8').trim());
}

/**
 * CPU of each process while `work` runs, in % of one core and in seconds (/proc ticks are 1/100 s,
 * USER_HZ), and of Postgres and Redis (every process of theirs) in seconds.
 */
async function cpuDuring<T>(
  pids: number[],
  work: () => Promise<T>,
): Promise<{ result: T; cpu: number[]; cpuS: number[]; storesS: number }> {
  const t0 = pids.map(cpuTicks);
  const s0 = storesTicks();
  const wall0 = Date.now();
  const result = await work();
  const s = (Date.now() - wall0) / 1000;
  const cpuS = pids.map((p, i) => (cpuTicks(p) - t0[i]!) / 100);
  return { result, cpu: cpuS.map((c) => (c / s) * 100), cpuS, storesS: (storesTicks() - s0) / 100 };
}

/** Ticks of every postgres and redis-server process (the rig's stores), children included. */
function storesTicks(): number {
  let sum = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === 'postgres' || comm === 'redis-server') sum += cpuTicks(Number(d));
    } catch {
      // Gone since the listing.
    }
  }
  return sum;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
/** node is the grandchild of npx; its pid is the one whose cmdline runs src/main.ts. */
function nodePid(svc: ServiceProcess): number {
  const out = execFileSync('pgrep', ['-g', String(svc.child.pid), '-f', 'src/main.ts'])
    .toString()
    .trim()
    .split('\n')
    .map(Number);
  return Math.max(...out);
}

async function placeCalls(
  dialed: string,
  rate: number,
  seconds: number,
  tag: string,
  periodMs = 1000,
): Promise<{ placed: number; failed: number }> {
  const calls = Math.round((rate * seconds * 1000) / periodMs);
  const r = await sipp({
    // Numbers no earlier run used: a caller the ACD has seen within PREFERRED_AGENT_WITHIN_H waits
    // first for their last agent (a rule app_queue does not have), which is not what is compared here.
    // 12366 through the production trunk; app_queue's numbers through the bench's own (asterisk-setup.ts).
    scenario: 'load-caller.xml',
    ip: dialed === '12366' ? '127.0.0.2' : BENCH_TRUNK_IP,
    keys: { caller: `0571${RUN}${tag}`, dialed },
    calls,
    rate,
    ratePeriodMs: periodMs,
    // Far above what the rate can hold open (a call lasts TALK_MS plus its wait): never a closed loop.
    limit: Math.max(2000, Math.ceil(((rate * 1000) / periodMs) * 120)),
    timeoutS: seconds + 120,
  }).done;
  const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.output)?.[1] ?? NaN);
  return { placed: calls, failed: Number.isNaN(failed) ? (r.code === 0 ? 0 : calls) : failed };
}

/** Per ACD call since `since`: when it was queued, its first agent leg, and when it ended. */
async function acdCalls(pool: pg.Pool, since: Date) {
  const r = await pool.query<{ queued: number; caller: string | null; leg: string | null; offered: number | null; ended: number | null }>(
    `SELECT extract(epoch FROM q.at) * 1000 AS queued, s.caller, o.leg, extract(epoch FROM o.at) * 1000 AS offered, extract(epoch FROM e.at) * 1000 AS ended FROM events q
       LEFT JOIN LATERAL (SELECT body->>'channelId' AS caller FROM events s WHERE s.call_id = q.call_id AND s.type = 'call.started' LIMIT 1) s ON true
       LEFT JOIN LATERAL (SELECT body->>'channelId' AS leg, at FROM events o WHERE o.call_id = q.call_id AND o.type = 'call.agent_offered' ORDER BY seq LIMIT 1) o ON true
       LEFT JOIN LATERAL (SELECT at FROM events e WHERE e.call_id = q.call_id AND e.type = 'call.ended' LIMIT 1) e ON true
      WHERE q.type = 'call.queued' AND q.at >= $1`,
    [since],
  );
  return r.rows.map((x) => ({
    queued: Number(x.queued),
    caller: x.caller,
    leg: x.leg,
    offered: x.offered === null ? undefined : Number(x.offered),
    ended: x.ended === null ? undefined : Number(x.ended),
  }));
}

/** Handed to the ACD (AMI Newexten of Stasis) to the agent's phone dialled (AMI DialBegin of the leg it originated). */
function acdDelays(calls: Awaited<ReturnType<typeof acdCalls>>, timeline: AmiTimeline): number[] {
  const dials = timeline.dialsByAgentUid();
  const out: number[] = [];
  let unseen = 0;
  for (const c of calls) {
    if (!c.leg) continue;
    const d = dials.get(c.leg);
    const entered = c.caller ? timeline.entered.get(c.caller) : undefined;
    if (d && entered !== undefined) out.push(d.at - entered);
    else unseen++;
  }
  if (unseen) process.stderr.write(`[bench] ${unseen} ACD offers without an AMI DialBegin for their leg\n`);
  return out;
}

/** Offers made to an agent while its previous offer had not yet ended (missed, or the call over). */
async function acdDoubleBooked(pool: pg.Pool, since: Date): Promise<number> {
  const r = await pool.query<{ n: string }>(
    `WITH o AS (
       SELECT e.body->>'agentId' AS agent, e.at, e.call_id,
              COALESCE((SELECT min(x.at) FROM events x WHERE x.call_id = e.call_id AND x.seq > e.seq
                         AND (x.type = 'call.ended' OR (x.type = 'call.agent_missed' AND x.body->>'agentId' = e.body->>'agentId'))), 'infinity') AS done
         FROM events e WHERE e.type = 'call.agent_offered' AND e.at >= $1)
     SELECT count(*) AS n FROM o a JOIN o b ON a.agent = b.agent AND a.call_id <> b.call_id AND b.at > a.at AND b.at < a.done`,
    [since],
  );
  return Number(r.rows[0]!.n);
}

async function reachedSince(pool: pg.Pool, since: Date): Promise<number> {
  const r = await pool.query<{ n: string }>("SELECT count(*) AS n FROM calls WHERE started_at >= $1 AND outcome = 'answered'", [since]);
  return Number(r.rows[0]!.n);
}

function overloadResult(
  system: RunResult['system'],
  placed: number,
  failed: number,
  reached: number,
  waits: Span[],
  timeline: AmiTimeline,
  end: number,
  ownView: number,
): OverloadResult {
  const w = waits.map((x) => x.end - x.start);
  return {
    system,
    placed,
    reached,
    failedPct: (failed / placed) * 100,
    waitP50: pct(w, 50),
    waitP99: pct(w, 99),
    waitMax: Math.max(...w),
    idleAgentMs: idleWhileWaiting(waits, timeline.busySpans(overloadAgents(), end), OVERLOAD_AGENTS).agentMs,
    doubleBooked: ownView,
    dialWhileOpen: timeline.dialWhileOpen,
    dialWhileOpenAgents: timeline.dialWhileOpenAgents.size,
    achievedRate: timeline.achievedRate(),
  };
}

const overloadAgents = () => new Set(agentIds().slice(0, OVERLOAD_AGENTS));

/** Overload: only the first agents stay logged in, callers at 105 % of what they can take. */
async function acdOverload(url: string, pool: pg.Pool, timeline: AmiTimeline): Promise<OverloadResult> {
  for (const id of agentIds().slice(OVERLOAD_AGENTS)) await api(url, 'POST', `/api/agents/${id}/logout`);
  await sleep(2000);
  timeline.clear();
  const since = new Date();
  const { placed, failed } = await placeCalls('12366', OVERLOAD_CALLS_PER_PERIOD, OVERLOAD_S, '9999', OVERLOAD_PERIOD_MS);
  await sleep(3000);
  await timeline.caughtUp();
  const calls = await acdCalls(pool, since);
  const dials = timeline.dialsByAgentUid();
  const end = Date.now();
  const waits = calls.map((c) => ({ start: c.queued, end: (c.leg ? dials.get(c.leg)?.at : undefined) ?? c.ended ?? end }));
  return overloadResult(
    'ACD (this service)',
    placed,
    failed,
    await reachedSince(pool, since),
    waits,
    timeline,
    end,
    await acdDoubleBooked(pool, since),
  );
}

/** Calls nobody measures, so that a block's first measured call meets a warm process. */
async function warmUp(dialed: string, repeat: number): Promise<void> {
  if (WARMUP_S <= 0) return;
  await placeCalls(dialed, 40, WARMUP_S, `${repeat}000`);
  await sleep(TALK_MS + 1000);
}

const tag = (repeat: number, rate: number) => `${repeat}${String(rate).padStart(3, '0')}`;

/** Set up once per run: the bench queue, the menu straight to it, the agents. */
async function configureAcd(url: string): Promise<void> {
  const call: ApiCall = async (method, p, body) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => undefined) };
  };
  await resetToShipped(call);
  // The bench queue joins the shipped ones first (an IVR may only send to queues the routing has).
  const rules = await api(
    url,
    'POST',
    '/api/routing/versions',
    shippedRoutingWith([
      {
        queue: 'bench',
        strategy: 'longest_idle',
        steps: [{ afterS: 0, skills: 'any' }],
        wrapUpS: 0,
        ringTimeoutS: 15,
        noAnswerPauseAfter: 0,
      },
    ]),
  );
  await api(url, 'POST', `/api/routing/versions/${rules.version}/activate`);
  // Straight to the queue: app_queue's callers hear no menu either.
  const ivr = await api(url, 'POST', '/api/ivr/versions', {
    name: 'bench',
    start: 'q',
    prompts: {},
    nodes: { q: { kind: 'queue', queue: 'bench', skills: {}, line: '其它' } },
  });
  await api(url, 'POST', `/api/ivr/versions/${ivr.version}/activate`);
  for (const id of agentIds())
    await api(url, 'PUT', `/api/agents/${id}`, { name: `压测${id}`, password: PASSWORD, skills: {}, queues: ['bench'] });
}

async function restoreShipped(url: string): Promise<void> {
  await resetToShipped(async (method, p, body) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => undefined) };
  });
}

/** One ACD block: a new service process, warm-up, every rate; the overload in the last block. */
async function acdBlock(
  pool: pg.Pool,
  timeline: AmiTimeline,
  repeat: number,
  last: boolean,
): Promise<{ rates: RunResult[]; overload?: OverloadResult }> {
  const svc = await spawnService(
    { REDIS_PREFIX: PREFIX, INSTANCE_ID: 'bench', LOG_LEVEL: 'warn' },
    PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [],
  );
  try {
    if (repeat === 1) await configureAcd(svc.url);
    const phonePort = freePorts().sip;
    const phones = sipp({
      scenario: 'agent-talks-then-hangs-up.xml',
      server: true,
      sipPort: phonePort,
      vars: { talk_ms: TALK_MS },
      calls: 1_000_000,
      timeoutS: 3600,
    });
    await registerAll(phonePort);
    await sleep(2000);
    for (const id of agentIds()) await api(svc.url, 'POST', `/api/agents/${id}/login`);
    await warmUp('12366', repeat);
    const pid = nodePid(svc);
    const out: RunResult[] = [];
    for (const rate of RATES) {
      timeline.clear();
      const since = new Date();
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 500);
      const before = await processFigures(svc.url);
      const {
        result: { placed, failed },
        cpu: [cpuPct, asteriskCpuPct],
        cpuS: [svcS, astS],
        storesS,
      } = await cpuDuring([pid, asteriskPid()], () => placeCalls('12366', rate, secondsFor(rate), tag(repeat, rate)));
      const during = await processFigures(svc.url);
      clearInterval(sampler);
      await sleep(3000);
      await timeline.caughtUp();
      const calls = await acdCalls(pool, since);
      const delays = acdDelays(calls, timeline);
      const decided = calls.flatMap((c) => (c.offered === undefined ? [] : [c.offered - c.queued]));
      const dialled = timeline.dialsByAgentUid();
      const dialling = calls.flatMap((c) =>
        c.offered !== undefined && c.leg && dialled.has(c.leg) ? [dialled.get(c.leg)!.at - c.offered] : [],
      );
      const reached = await reachedSince(pool, since);
      out.push({
        system: 'ACD (this service)',
        rate,
        repeat,
        achievedRate: timeline.achievedRate(),
        samples: delays,
        dialWhileOpen: timeline.dialWhileOpen,
        dialWhileOpenAgents: timeline.dialWhileOpenAgents.size,
        cpuMsPerCall: ((svcS! + astS!) * 1000) / Math.max(1, reached),
        storesCpuMsPerCall: (storesS * 1000) / Math.max(1, reached),
        asteriskRssMb: rssMb(asteriskPid()),
        placed,
        reached,
        failedPct: (failed / placed) * 100,
        p50: pct(delays, 50),
        p99: pct(delays, 99),
        doubleBooked: await acdDoubleBooked(pool, since),
        cpuPct,
        rssMb: peak,
        asteriskCpuPct: asteriskCpuPct!,
        decidedP50: pct(decided, 50),
        decidedP99: pct(decided, 99),
        dialP50: pct(dialling, 50),
        dialP99: pct(dialling, 99),
        loopLagP99: during.lagP99,
        loopLagMax: during.lagMax,
        longGcs: during.gcOver5ms - before.gcOver5ms,
      });
      process.stderr.write(
        `[bench] ACD r${repeat} ${rate}/s: p50 ${f(pct(delays, 50))} p99 ${f(pct(delays, 99))} ms, ${delays.length} calls\n`,
      );
      await sleep(TALK_MS + 2000);
    }
    const overload = last && OVERLOAD_S > 0 ? await acdOverload(svc.url, pool, timeline) : undefined;
    phones.kill();
    for (const id of agentIds()) await api(svc.url, 'POST', `/api/agents/${id}/logout`).catch(() => undefined);
    // Tests and later runs start from whatever was last active: leave the shipped configuration.
    if (last) await restoreShipped(svc.url);
    return { rates: out, overload };
  } finally {
    await releaseStasisApp().catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
    await (PROFILE_DIR ? stopGracefully(svc) : killHard(svc));
  }
}

/**
 * A killed service leaves its Stasis application in Asterisk with every subscription it made (a
 * device state per agent): each state change of an agent's phone during the app_queue runs would
 * then go to an application nobody listens to, and Asterisk logs a warning for each (16,700 in
 * one run), work that app_queue's measurements would pay for. Dropped while the service still
 * holds the application (ARI does not show an application nobody is connected to).
 */
async function releaseStasisApp(app = process.env.ARI_APP ?? 'tax12366'): Promise<void> {
  const http = new AriHttp({
    url: requireEnv('ARI_URL'),
    user: requireEnv('ARI_USER'),
    password: requireEnv('ARI_PASSWORD'),
    maxSockets: 2,
  });
  try {
    await new AriClient(http, app).dropSubscriptions(['deviceState', 'endpoint', 'channel', 'bridge']);
  } finally {
    http.close();
  }
}

async function appQueueOverload(timeline: AmiTimeline): Promise<OverloadResult> {
  timeline.clear();
  const { placed, failed } = await placeCalls('12398', OVERLOAD_CALLS_PER_PERIOD, OVERLOAD_S, '9999', OVERLOAD_PERIOD_MS);
  await sleep(3000);
  await timeline.caughtUp();
  const end = Date.now();
  const first = timeline.firstDialByCaller();
  const waits = [...timeline.joined].map(([uid, at]) => ({ start: at, end: first.get(uid) ?? timeline.left.get(uid) ?? end }));
  return overloadResult('app_queue', placed, failed, timeline.connected.size, waits, timeline, end, timeline.doubleBooked);
}

/** One app_queue block: its members, the phones registered, warm-up, every rate; the overload in the last block. */
async function appQueueBlock(
  timeline: AmiTimeline,
  repeat: number,
  last: boolean,
): Promise<{ rates: RunResult[]; overload?: OverloadResult }> {
  const member = (id: string) => `member => PJSIP/${id}`;
  const options = 'strategy = leastrecent\nringinuse = no\ntimeout = 15\nretry = 1\nwrapuptime = 0\nautofill = yes\nannounce-frequency = 0';
  writeFileSync(
    path.join(ROOTFS, 'etc/asterisk/queues_bench.conf'),
    [
      `[bench]\n${options}\n${agentIds().map(member).join('\n')}`,
      `[bench20]\n${options}\n${agentIds().slice(0, OVERLOAD_AGENTS).map(member).join('\n')}`,
    ].join('\n\n') + '\n',
  );
  // A service stopped, its pushed endpoints are still in Asterisk (memory wizard) until a restart.
  execFileSync('chroot', [ROOTFS, 'asterisk', '-rx', 'module reload app_queue.so']);
  await sleep(1000);
  const phonePort = freePorts().sip;
  const phones = sipp({
    scenario: 'agent-talks-then-hangs-up.xml',
    server: true,
    sipPort: phonePort,
    vars: { talk_ms: TALK_MS },
    calls: 1_000_000,
    timeoutS: 3600,
  });
  await registerAll(phonePort);
  await sleep(2000);
  await warmUp('12399', repeat);
  const out: RunResult[] = [];
  for (const rate of RATES) {
    timeline.clear();
    const {
      result: { placed, failed },
      cpu: [asteriskCpuPct],
      cpuS: [astS],
      storesS,
    } = await cpuDuring([asteriskPid()], () => placeCalls('12399', rate, secondsFor(rate), tag(repeat, rate)));
    await sleep(2000);
    await timeline.caughtUp();
    const first = timeline.firstDialByCaller();
    const delays = [...timeline.entered].flatMap(([uid, at]) => (first.has(uid) ? [first.get(uid)! - at] : []));
    const reached = timeline.connected.size;
    out.push({
      system: 'app_queue',
      rate,
      repeat,
      achievedRate: timeline.achievedRate(),
      samples: delays,
      dialWhileOpen: timeline.dialWhileOpen,
      dialWhileOpenAgents: timeline.dialWhileOpenAgents.size,
      cpuMsPerCall: (astS! * 1000) / Math.max(1, reached),
      storesCpuMsPerCall: (storesS * 1000) / Math.max(1, reached),
      asteriskRssMb: rssMb(asteriskPid()),
      placed,
      reached,
      failedPct: (failed / placed) * 100,
      p50: pct(delays, 50),
      p99: pct(delays, 99),
      doubleBooked: timeline.doubleBooked,
      asteriskCpuPct: asteriskCpuPct!,
    });
    process.stderr.write(
      `[bench] app_queue r${repeat} ${rate}/s: p50 ${f(pct(delays, 50))} p99 ${f(pct(delays, 99))} ms, ${delays.length} calls\n`,
    );
    await sleep(TALK_MS + 2000);
  }
  const overload = last && OVERLOAD_S > 0 ? await appQueueOverload(timeline) : undefined;
  phones.kill();
  return { rates: out, overload };
}

const f = (n: number | undefined, d = 0) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(d));
const median = (xs: number[]) => pct(xs, 50);

/** One row per (system, rate): the repeats' samples pooled for p50/p99; counts summed; the rest the median run's. */
interface Row {
  system: RunResult['system'];
  rate: number;
  runs: RunResult[];
  samples: number[];
  placed: number;
  failed: number;
  reached: number;
  dialWhileOpen: number;
  dialWhileOpenAgents: number;
  doubleBooked: number;
  achievedRate: number;
  cpuMsPerCall: number;
  storesCpuMsPerCall: number;
}

function rows(runs: RunResult[]): Row[] {
  const keys = [...new Set(runs.map((r) => `${r.system}|${r.rate}`))];
  return keys.map((k) => {
    const rs = runs.filter((r) => `${r.system}|${r.rate}` === k);
    return {
      system: rs[0]!.system,
      rate: rs[0]!.rate,
      runs: rs,
      samples: rs.flatMap((r) => r.samples),
      placed: rs.reduce((s, r) => s + r.placed, 0),
      failed: rs.reduce((s, r) => s + Math.round((r.failedPct / 100) * r.placed), 0),
      reached: rs.reduce((s, r) => s + r.reached, 0),
      dialWhileOpen: rs.reduce((s, r) => s + r.dialWhileOpen, 0),
      dialWhileOpenAgents: Math.max(...rs.map((r) => r.dialWhileOpenAgents)),
      doubleBooked: rs.reduce((s, r) => s + r.doubleBooked, 0),
      achievedRate: median(rs.map((r) => r.achievedRate)),
      cpuMsPerCall: median(rs.map((r) => r.cpuMsPerCall)),
      storesCpuMsPerCall: median(rs.map((r) => r.storesCpuMsPerCall)),
    };
  });
}

function table(rs: Row[]): string {
  return [
    '| system | calls/s offered | achieved (median run) | calls | reached an agent | failed % | time to agent p50 (ms) | p99 (ms) | p99 per run (ms) | deciding p50 / p99 (ms) | ARI originate → dialled p50 / p99 (ms) | double-booked (AMI test: dials / agents) | CPU ms per call reached | Postgres + Redis CPU ms per call | service RSS MB | service loop late p99 / max (ms) | Asterisk CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rs.map((r) => {
      const m = r.runs[Math.floor(r.runs.length / 2)]!;
      return `| ${r.system} | ${r.rate} | ${f(r.achievedRate, 1)} | ${r.placed} | ${r.reached} | ${f((r.failed / r.placed) * 100, 2)} | ${f(pct(r.samples, 50), 1)} | ${f(pct(r.samples, 99), 1)} | ${r.runs.map((x) => f(x.p99)).join(' / ')} | ${m.decidedP50 === undefined ? '–' : `${f(median(r.runs.map((x) => x.decidedP50!)), 1)} / ${f(median(r.runs.map((x) => x.decidedP99!)), 1)}`} | ${m.dialP50 === undefined ? '–' : `${f(median(r.runs.map((x) => x.dialP50!)), 1)} / ${f(median(r.runs.map((x) => x.dialP99!)), 1)}`} | ${r.dialWhileOpen} / ${r.dialWhileOpenAgents} | ${f(r.cpuMsPerCall, 2)} | ${f(r.storesCpuMsPerCall, 2)} | ${f(m.rssMb)} | ${m.loopLagP99 === undefined ? '–' : `${f(m.loopLagP99, 1)} / ${f(m.loopLagMax, 1)}`} | ${f(median(r.runs.map((x) => x.asteriskCpuPct)))} |`;
    }),
  ].join('\n');
}

function overloadTable(rs: OverloadResult[]): string {
  return [
    '| system | placed | achieved calls/s | reached an agent | failed % | wait for an agent p50 (ms) | p99 (ms) | max (ms) | agent-seconds free while a caller waited | double-booked (AMI test: dials / agents) | own view |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rs.map(
      (r) =>
        `| ${r.system} | ${r.placed} | ${f(r.achievedRate, 2)} | ${r.reached} | ${f(r.failedPct, 2)} | ${f(r.waitP50)} | ${f(r.waitP99)} | ${f(r.waitMax)} | ${f(r.idleAgentMs / 1000, 1)} | ${r.dialWhileOpen} / ${r.dialWhileOpenAgents} | ${r.doubleBooked} |`,
    ),
  ].join('\n');
}

/**
 * A database of the bench's own, new for every run. A run leaves tens of thousands of calls of
 * history; in the shared database they slowed every later test and report (and each service
 * start copied every recent caller into Redis for the preferred-agent rule), and the next run's
 * service started against all of it.
 */
async function freshBenchDatabase(): Promise<string> {
  const url = new URL(requireEnv('DATABASE_URL'));
  // Not <db>_bench: that one holds bench:history's generated years for bench:reports.
  const name = `${url.pathname.slice(1)}_acd_bench`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    // Identifiers cannot be parameters; this one is derived from our own configuration and quoted.
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)}`);
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** The bench service's live state: nothing of a run stays in Redis. */
async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(requireEnv('REDIS_URL'));
  try {
    await unlinkPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  // The spawned service inherits this environment.
  process.env.DATABASE_URL = await freshBenchDatabase();
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  const benchAsterisk = await enableBenchAsterisk();
  const timeline = new AmiTimeline(benchAsterisk.amiUser, benchAsterisk.amiSecret);
  const runs: RunResult[] = [];
  const overloads: OverloadResult[] = [];
  // A/B/A/B: drift of the machine over the run (other work, Asterisk's caches) falls on both.
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    const last = repeat === REPEATS;
    if (SYSTEMS.includes('acd')) {
      const b = await acdBlock(pool, timeline, repeat, last);
      runs.push(...b.rates);
      if (b.overload) overloads.push(b.overload);
    }
    if (SYSTEMS.includes('app_queue')) {
      const b = await appQueueBlock(timeline, repeat, last);
      runs.push(...b.rates);
      if (b.overload) overloads.push(b.overload);
    }
  }
  const floor = FLOOR_CALLS > 0 ? await originateFloor(timeline, FLOOR_CALLS, pct) : [];
  timeline.disconnect();
  await benchAsterisk.restore();
  await pool.end();
  await dropRedisPrefix(PREFIX);
  const result = rows(runs);
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Asterisk ${execFileSync('chroot', [ROOTFS, 'dpkg-query', '-W', '-f=${Version}', 'asterisk']).toString()}`;
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim();
  const command = `npm run bench:acd -- --systems ${SYSTEMS.join(',')} --agents ${AGENTS} --rates ${RATES.join(',')} --seconds ${SECONDS} --repeats ${REPEATS} --min-samples ${MIN_SAMPLES} --warmup-seconds ${WARMUP_S} --talk-ms ${TALK_MS} --overload-agents ${OVERLOAD_AGENTS} --overload-seconds ${OVERLOAD_S} --floor-calls ${FLOOR_CALLS}`;
  const date = new Date().toISOString();
  mkdirSync(path.join(REPO, 'docs', 'benchmarks'), { recursive: true });
  writeFileSync(
    path.join(REPO, 'docs', 'benchmarks', 'acd-vs-app-queue.json'),
    JSON.stringify(
      {
        machine,
        commit,
        command,
        date,
        rows: result.map((r) => ({
          system: r.system === 'app_queue' ? 'app_queue' : 'acd',
          rate: r.rate,
          achievedRate: Number(r.achievedRate.toFixed(2)),
          calls: r.placed,
          failed: r.failed,
          ttaP50Ms: Number(pct(r.samples, 50).toFixed(2)),
          ttaP99Ms: Number(pct(r.samples, 99).toFixed(2)),
          samples: r.samples.length,
          ttaP99MsPerRun: r.runs.map((x) => Number(x.p99.toFixed(2))),
          doubleBooked: r.dialWhileOpen,
          doubleBookedAgents: r.dialWhileOpenAgents,
          cpuMsPerCall: Number(r.cpuMsPerCall.toFixed(3)),
          storesCpuMsPerCall: Number(r.storesCpuMsPerCall.toFixed(3)),
        })),
        overload: overloads.map((o) => ({
          system: o.system === 'app_queue' ? 'app_queue' : 'acd',
          placed: o.placed,
          achievedRate: Number(o.achievedRate.toFixed(2)),
          failedPct: Number(o.failedPct.toFixed(2)),
          waitP50Ms: o.waitP50,
          waitP99Ms: o.waitP99,
          idleAgentSeconds: Number((o.idleAgentMs / 1000).toFixed(2)),
          doubleBooked: o.dialWhileOpen,
          doubleBookedAgents: o.dialWhileOpenAgents,
        })),
      },
      null,
      2,
    ) + '\n',
  );
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const section = [
    `Run ${date} on ${machine}, commit ${commit}.`,
    `Command: \`${command}\``,
    '',
    `${AGENTS} SIPp agents registered on PJSIP (one SIPp answers for all, talks ${TALK_MS} ms, hangs up); SIPp callers on the trunk, every caller new (no preferred-agent rule in play).`,
    `Blocks interleaved ${SYSTEMS.join(' / ')} × ${REPEATS}; each block set up afresh (the ACD: a new service process), then ${WARMUP_S} s of calls at 40/s not measured, then every rate; a rate runs max(${SECONDS} s, what gives ${MIN_SAMPLES} calls over the ${REPEATS} repeats).`,
    "Time to agent: both dialplans answer first, then hand the call over; from that hand-over (AMI Newexten of Queue() or Stasis()) to Asterisk dialling the agent's phone (AMI DialBegin of the agent's channel). p50/p99 over every call of the repeats; the per-run p99s show the spread.",
    'Achieved: queue entries per second Asterisk saw (SIPp -l far above the rate, so the generator never waits for calls to end). Double-booked: one test for both, from AMI: a DialBegin on PJSIP/X while an earlier PJSIP/X channel has had no Hangup.',
    'CPU per call reached: from /proc over the rate, Asterisk + the service for the ACD, Asterisk for app_queue; Postgres + Redis beside it (the ACD keeps history there; app_queue keeps none).',
    '',
    table(result),
    '',
    `Overload (last block of each system): only ${OVERLOAD_AGENTS} agents, callers at ${OVERLOAD_CALLS_PER_PERIOD} per ${OVERLOAD_PERIOD_MS / 1000} s (105 % of what they can take at ${TALK_MS / 1000} s a call) for ${OVERLOAD_S} s, no generator cap.`,
    'Free while a caller waited: min(agents not dialled or on a call, callers waiting) integrated over time (bench/idle-while-waiting.ts), from AMI. "Own view": app_queue\'s AgentCalled count, the ACD\'s from its events.',
    '',
    overloadTable(overloads),
    ...(floor.length
      ? [
          '',
          `The floor under dialling agents through ARI: ${FLOOR_CALLS} single calls to one phone each way, one at a time, on the otherwise idle Asterisk after the runs;`,
          'from the request leaving the bench to AMI DialBegin of the new channel (bench/originate-floor.ts).',
          '',
          '| originate | calls | dialled | request → dialled p50 (ms) | p99 (ms) |',
          '| --- | --- | --- | --- | --- |',
          ...floor.map((r) => `| ${r.via} | ${r.n} | ${r.dialled} | ${f(r.p50, 1)} | ${f(r.p99, 1)} |`),
        ]
      : []),
  ].join('\n');
  // Only the block between the markers is the bench's; the reading of it below is written by hand.
  const [start, end] = ['<!-- acd-bench:start -->', '<!-- acd-bench:end -->'];
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${start}\n${section}\n${end}`;
  writeFileSync(
    file,
    old.includes(start) && old.includes(end)
      ? old.slice(0, old.indexOf(start)) + block + old.slice(old.indexOf(end) + end.length)
      : `${old.trimEnd()}\n\n## ACD against app_queue (issue 4)\n\n${block}\n`,
  );
  process.stdout.write(`${section}\n`);
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
