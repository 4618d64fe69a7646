/**
 * The soak (issue 24): calls at a steady rate for a long time, through the IVR, queueing, callbacks
 * and agents pausing and coming back, and afterwards nothing left behind. Records the service's RSS
 * over time, agents left stuck (not available/paused once the calls are over), Asterisk's channels
 * and bridges after the load, and calls lost (placed by SIPp but never ended in history, or ended
 * by the system), and what became of the callbacks asked for.
 *
 *   npm run bench:soak -- [--minutes 60] [--rate 20] [--callbacks 30] [--agents 100] [--write]
 *
 * One service instance (a child process, measured from /proc), the rig's Asterisk, and `agents`
 * SIPp agents answering for 4 s. The menu (a prompt, 1 s to press a key) sends the `rate` callers,
 * who press nothing, to the queue "bench"; `callbacks` callers a minute press 2 (queue "bench-cb",
 * which no agent serves in its first 8 s), then 1 (keep my place, call me back) and are hung up;
 * their turn comes at 8 s and the carrier's SIPp (127.0.0.2:5070) answers the callback and talks
 * 4 s. Every 30 s a tenth of the agents is paused for 20 s, so callers queue at times. --write:
 * JSON in docs/benchmarks/soak.json and the section between the soak markers in docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { writeSection } from './doc-section.js';
import { closeFloor, openFloor, releaseStasisApp } from './call-load.js';
import { killHard, spawnService, stopGracefully, type ServiceProcess } from '../test/support/process.js';
import { REPO, requireEnv } from '../test/support/rig.js';
import { sipp } from '../test/support/sipp.js';
import { dtmfPcap, presses } from '../test/support/dtmf-pcap.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const MINUTES = arg('minutes', 60);
const RATE = arg('rate', 20);
const AGENTS = arg('agents', 100);
const CALLBACKS_PER_MIN = arg('callbacks', 30);
const TALK_MS = 4000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ari = async <T>(p: string): Promise<T> => {
  const auth = Buffer.from(`${requireEnv('ARI_USER')}:${requireEnv('ARI_PASSWORD')}`).toString('base64');
  const r = await fetch(`${requireEnv('ARI_URL')}/ari/${p}`, { headers: { authorization: `Basic ${auth}` } });
  return (await r.json()) as T;
};
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function main() {
  const svc = await spawnService({ LOG_LEVEL: process.env.SOAK_LOG_LEVEL ?? 'warn', PREFERRED_AGENT_WITHIN_H: '0' });
  // The service's whole log, for what went wrong in a long run (its output() keeps only the end).
  const logFile = createWriteStream(process.env.SOAK_LOG ?? '/tmp/soak-service.log');
  svc.child.stdout!.pipe(logFile);
  svc.child.stderr!.pipe(logFile);
  try {
    await soak(svc);
  } catch (err) {
    // Detached, a service left running keeps the Stasis app and takes the next run's calls.
    await killHard(svc);
    throw err;
  }
}

async function soak(svc: ServiceProcess) {
  const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
  const floor = await openFloor(svc.url, AGENTS, TALK_MS, [
    // Bench agents have no skills: none may take a call in its first 8 s: a caller there waits long enough to ask for a callback.
    {
      queue: 'bench-cb',
      strategy: 'longest_idle',
      wrapUpS: 0,
      ringTimeoutS: 15,
      noAnswerPauseAfter: 0,
      steps: [
        { afterS: 0, skills: { social: 5 } },
        { afterS: 8, skills: 'any' },
      ],
    },
  ]);
  await soakMenu(floor);
  const run = String(Date.now() % 1e6).padStart(6, '0');
  const seconds = MINUTES * 60;
  const calls = Math.round(RATE * seconds);
  const cbCalls = Math.round((CALLBACKS_PER_MIN * seconds) / 60);
  const startedAt = new Date();
  // The carrier's side of the callbacks, then the taxpayers who ask for them.
  const carrier = cbCalls
    ? sipp({
        scenario: 'taxpayer-answers-callback.xml',
        server: true,
        ip: '127.0.0.2',
        sipPort: 5070,
        vars: { talk_ms: TALK_MS },
        calls: cbCalls,
        timeoutS: seconds + 300,
      })
    : undefined;
  const askers = cbCalls
    ? sipp({
        scenario: 'load-caller-dtmf-waits-for-hangup.xml',
        ip: '127.0.0.2',
        // 0571 + 5 + SIPp's call number: the 12 digits of a Hangzhou number for calls 100-999 (the dial
        // policy refuses longer ones a callback: 13 digits made 501 of 600 in the 20-minute run).
        keys: { caller: `0571${run.slice(-5)}`, dialed: '12366' },
        files: { pcap: dtmfPcap(presses('2', 300).concat(presses('1', 2500)), { audioMs: 4000 }) },
        calls: cbCalls,
        rate: 1,
        ratePeriodMs: Math.round(60_000 / CALLBACKS_PER_MIN),
        limit: cbCalls,
        timeoutS: seconds + 300,
      })
    : undefined;
  const load = sipp({
    scenario: 'load-caller.xml',
    ip: '127.0.0.2',
    keys: { caller: `0573${run}`, dialed: '12366' },
    calls,
    rate: RATE,
    limit: calls,
    timeoutS: seconds + 300,
  });
  const samples: Array<{ s: number; rssMb: number; channels: number; bridges: number }> = [];
  const t0 = Date.now();
  let done = false;
  void load.done.then(() => (done = true));
  let paused: string[] = [];
  let tick = 0;
  while (!done) {
    await sleep(10_000);
    tick++;
    const [channels, bridges] = await Promise.all([ari<unknown[]>('channels'), ari<unknown[]>('bridges')]);
    samples.push({
      s: Math.round((Date.now() - t0) / 1000),
      rssMb: rssMb(svc.child.pid!),
      channels: channels.length,
      bridges: bridges.length,
    });
    if (tick % 3 === 0) {
      for (const id of paused) await floor.call('POST', `/api/agents/${id}/unpause`).catch(() => undefined);
      paused = floor.agents.filter(() => Math.random() < 0.1);
      for (const id of paused) await floor.call('POST', `/api/agents/${id}/pause`, { reason: 'break' }).catch(() => undefined);
    } else if (tick % 3 === 2) {
      for (const id of paused) await floor.call('POST', `/api/agents/${id}/unpause`).catch(() => undefined);
      paused = [];
    }
    const last = samples[samples.length - 1]!;
    process.stdout.write(`${last.s}s rss ${last.rssMb.toFixed(0)} MB, ${last.channels} channels, ${last.bridges} bridges\n`);
  }
  for (const id of paused) await floor.call('POST', `/api/agents/${id}/unpause`).catch(() => undefined);
  const res = await load.done;
  const asked = await askers?.done;
  // The last callbacks are dialled 8 s after their request and talk 4 s.
  await sleep(20_000);
  carrier?.kill();
  const [channels, bridges] = await Promise.all([ari<Array<{ name: string }>>('channels'), ari<unknown[]>('bridges')]);
  const agentStates = (await floor.call('GET', '/api/agents')).body as Array<{ agentId: string; state: string }>;
  const stuck = agentStates.filter((a) => floor.agents.includes(a.agentId) && !['available', 'paused', 'wrap_up'].includes(a.state));
  const hist = await pool.query(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE ended_at IS NULL)::int AS open,
            count(*) FILTER (WHERE hung_up_by = 'system')::int AS by_system,
            count(*) FILTER (WHERE outcome = 'answered')::int AS answered
     FROM calls WHERE caller LIKE $1 AND started_at >= $2`,
    [`0573${run}%`, startedAt],
  );
  const failed = Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(res.output)?.[1] ?? (res.code === 0 ? 0 : NaN));
  const askFailed = asked ? Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(asked.output)?.[1] ?? (asked.code === 0 ? 0 : NaN)) : 0;
  // Each request (the taxpayer's call, outcome callback_requested) and the callback that answered it.
  const cb = await pool.query(
    `SELECT count(*)::int AS asked,
            count(*) FILTER (WHERE r.outcome = 'callback_requested')::int AS requested,
            count(b.call_id)::int AS dialled,
            count(b.call_id) FILTER (WHERE b.outcome = 'answered')::int AS connected,
            count(*) FILTER (WHERE r.ended_at IS NULL OR (b.call_id IS NOT NULL AND b.ended_at IS NULL))::int AS open
     FROM calls r LEFT JOIN calls b ON b.callback_for = r.call_id
     WHERE r.caller LIKE $1 AND r.dialed = '12366' AND r.started_at >= $2`,
    [`0571${run}%`, startedAt],
  );
  const rss = samples.map((x) => x.rssMb);
  const third = Math.max(1, Math.floor(rss.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out = {
    // The commit measured, beside the date.
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO }).toString().trim(),
    at: new Date().toISOString(),
    minutes: MINUTES,
    offeredRate: RATE,
    achievedRate: hist.rows[0].n / seconds,
    agents: AGENTS,
    placed: calls,
    sippFailed: failed,
    callbacks: { perMinute: CALLBACKS_PER_MIN, placed: cbCalls, sippFailed: askFailed, ...cb.rows[0] },
    inHistory: hist.rows[0].n,
    answered: hist.rows[0].answered,
    notEnded: hist.rows[0].open,
    endedBySystem: hist.rows[0].by_system,
    stuckAgents: stuck,
    channelsAfter: channels.length,
    bridgesAfter: bridges.length,
    rssMb: {
      first: rss[0] ?? NaN,
      last: rss[rss.length - 1] ?? NaN,
      max: Math.max(...rss),
      meanFirstThird: mean(rss.slice(0, third)),
      meanLastThird: mean(rss.slice(-third)),
    },
    samples,
  };
  console.log(JSON.stringify({ ...out, samples: undefined }, null, 1));
  await closeFloor(floor);
  await stopGracefully(svc);
  // A gracefully stopped service has let its app go already.
  await releaseStasisApp().catch(() => undefined);
  await pool.end();
  if (process.argv.includes('--write')) write(out);
}

function write(out: Record<string, unknown> & { at: string; rssMb: Record<string, number>; samples: unknown[] }) {
  writeFileSync(path.join(REPO, 'docs', 'benchmarks', 'soak.json'), `${JSON.stringify(out, null, 1)}\n`);
  const r = out.rssMb;
  const cbs = out.callbacks as Record<string, number>;
  const section = [
    `### Soak (bench:soak, ${out.at.slice(0, 10)})`,
    '',
    `${out.minutes} min at ${out.offeredRate} calls/s offered (${(out.achievedRate as number).toFixed(2)} achieved) through a menu (prompt, 1 s for a key) to the queue, ${out.agents} agents, a tenth of them paused 20 s of every 30 s. One instance.`,
    `Callbacks: ${cbs.perMinute} taxpayers a minute kept their place and asked to be called back (${cbs.placed} placed, ${cbs.sippFailed} failed in SIPp): ${cbs.requested} requests recorded, ${cbs.dialled} dialled, ${cbs.connected} connected to an agent, ${cbs.open} left open.`,
    '',
    '| placed | SIPp failed | in history | answered | not ended | ended by the system | stuck agents | channels after | bridges after | RSS first / max / last (MB) | RSS mean, first third → last third (MB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${out.placed} | ${out.sippFailed} | ${out.inHistory} | ${out.answered} | ${out.notEnded} | ${out.endedBySystem} | ${(out.stuckAgents as unknown[]).length} | ${out.channelsAfter} | ${out.bridgesAfter} | ${r.first!.toFixed(0)} / ${r.max!.toFixed(0)} / ${r.last!.toFixed(0)} | ${r.meanFirstThird!.toFixed(0)} → ${r.meanLastThird!.toFixed(0)} |`,
  ].join('\n');
  writeSection(path.join(REPO, 'docs', 'benchmarks.md'), 'soak', section);
}

/**
 * The soak's menu over the bench floor (openFloor): a prompt with 1 s for a key, nothing pressed to
 * "bench", 2 to "bench-cb", where the first 8 s need a skill no agent has, so a caller there waits
 * long enough to ask for a callback, and the callback is dialled when any agent may take it.
 */
async function soakMenu(floor: Awaited<ReturnType<typeof openFloor>>): Promise<void> {
  const ivr = await floor.call('POST', '/api/ivr/versions', {
    name: 'soak',
    start: 'menu',
    prompts: { 'soak-menu': { zh: '您好，请按键。' } },
    nodes: {
      menu: { kind: 'menu', prompt: 'soak-menu', options: { '2': 'cb' }, timeoutS: 1, retries: 0, onRetriesExhausted: 'q' },
      q: { kind: 'queue', queue: 'bench', skills: {}, line: '其它' },
      cb: { kind: 'queue', queue: 'bench-cb', skills: {}, line: '其它' },
    },
  });
  // (floor.call throws on any refusal.)
  await floor.call('POST', `/api/ivr/versions/${ivr.body.version}/activate`);
}

await main();
