/**
 * Event ingestion: how many events per second the outbox delivers into Postgres and the Redis
 * stream together (both must have every event). Writes a section of docs/benchmarks.md.
 *
 *   npm run bench:ingest -- --events 200000 [--call-rate 40]
 *
 * With --call-rate N it measures twice: alone, then while the service (spawned with the rig's
 * settings) routes N calls/s through Asterisk (bench/call-load.ts, as bench:kb-floor does); run
 * it under the rig lock and the bench lock. Also writes docs/benchmarks/ingest.json.
 *
 * Events are published as calls publish them (a few per step), with the mix of a real call:
 * call.started, ivr.*, call.queued, offers, call.ended. Uses the test database and a private
 * Redis key prefix; the rows it writes are deleted afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { Redis } from 'ioredis';
import { stamp, type Ctx, type DomainEvent } from '../src/core/events.js';
import { Journal } from '../src/adapters/outbox/journal.js';
import { HISTORY_LINGER_MS, PgEventStore } from '../src/features/events/event-store.js';
import { RedisEventStream } from '../src/features/events/event-stream.js';
import { EventPublisher } from '../src/features/events/publisher.js';
import { uuidv7 } from '../src/shared/uuidv7.js';
import { REPO, requireEnv } from '../test/support/rig.js';
import { killHard, spawnService } from '../test/support/process.js';
import { unlinkPrefix } from '../test/support/redis.js';
import { closeFloor, openFloor, placeCalls, releaseStasisApp, type CallFloor } from './call-load.js';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d);
const EVENTS = arg('events', 200_000);
const CALL_RATE = arg('call-rate', 0);
const RUN = String(Date.now() % 100000).padStart(5, '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 10) / 10;
const prefix = `bench-ingest-${RUN}`;

function oneCall(ctx: () => Ctx, i: number): DomainEvent[] {
  const callId = uuidv7();
  const agentId = String(1000 + (i % 400));
  return [
    stamp(ctx(), {
      type: 'call.started',
      callId,
      caller: `bench${String(i).padStart(8, '0')}`,
      dialed: '12366',
      channelId: `ch${i}`,
      ivrVersion: 1,
    }),
    stamp(ctx(), { type: 'ivr.entered', callId, definition: '12366-default' }),
    stamp(ctx(), { type: 'ivr.node_visited', callId, nodeId: 'main' }),
    stamp(ctx(), { type: 'ivr.node_visited', callId, nodeId: 'ntax', digit: '2' }),
    stamp(ctx(), { type: 'ivr.left', callId, nodeId: 'ntax.vat', reason: 'queued', queue: 'ntax-vat' }),
    stamp(ctx(), { type: 'call.queued', callId, queue: 'ntax-vat', skills: { vat: 1 }, priority: 0, line: '国税', subLine: '增值税' }),
    stamp(ctx(), { type: 'call.agent_offered', callId, agentId, channelId: `leg${i}` }),
    stamp(ctx(), { type: 'call.agent_answered', callId, agentId, waitMs: 4000 }),
    stamp(ctx(), { type: 'agent.state_changed', agentId, from: 'reserved', to: 'on_call', callId }),
    stamp(ctx(), {
      type: 'call.ended',
      callId,
      hungUpBy: 'caller',
      outcome: 'answered',
      agentId,
      queue: 'ntax-vat',
      durationMs: 120_000,
      talkMs: 100_000,
    }),
  ];
}

interface Ingest {
  label: string;
  events: number;
  eventsPerS: number;
  publishS: number;
  seconds: number;
  inStream: number;
  cpuBusyPct: number;
}

/** CPU time counters from /proc/stat: busy and total jiffies. */
function cpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  return { busy: f.reduce((a, b) => a + b, 0) - idle, total: f.reduce((a, b) => a + b, 0) };
}

/** Publishes EVENTS events as calls do and waits until Postgres and the Redis stream have them all. */
async function ingest(label: string, pool: pg.Pool, redis: Redis, run: string): Promise<Ingest> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
  const stream = `${prefix}:${run}:events`;
  const publisher = new EventPublisher(
    new Journal(dir, 'bench'),
    [
      { name: 'postgres', write: (b) => new PgEventStore(pool).append(b.map((x) => x.event)), lingerMs: HISTORY_LINGER_MS },
      new RedisEventStream(redis, stream, `${prefix}:${run}:events:from:bench`, 1_000_000),
    ],
    pino({ level: 'warn' }),
  );
  const ctx = (): Ctx => ({ now: Date.now(), newId: () => uuidv7() });
  const c0 = cpu();
  const t0 = performance.now();
  let published = 0;
  for (let i = 0; published < EVENTS; i++) {
    const evs = oneCall(ctx, i);
    // As calls do: a few events per step, not one huge batch.
    for (let k = 0; k < evs.length; k += 2) publisher.publish(evs.slice(k, k + 2));
    published += evs.length;
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  const tPublished = performance.now();
  if (!(await publisher.drain(600_000))) throw new Error('not drained');
  const seconds = (performance.now() - t0) / 1000;
  const c1 = cpu();
  const inStream = await redis.xlen(stream);
  publisher.close();
  // Leave the test database and Redis as they were.
  await pool.query("DELETE FROM events WHERE call_id IN (SELECT call_id FROM calls WHERE caller LIKE 'bench%')");
  await pool.query("DELETE FROM calls WHERE caller LIKE 'bench%'");
  await redis.del(stream, `${prefix}:${run}:events:from:bench`);
  rmSync(dir, { recursive: true, force: true });
  const r = {
    label,
    events: published,
    eventsPerS: Math.round(published / seconds),
    publishS: round((tPublished - t0) / 1000),
    seconds: round(seconds),
    inStream,
    cpuBusyPct: round((100 * (c1.busy - c0.busy)) / (c1.total - c0.total)),
  };
  process.stderr.write(`${JSON.stringify(r)}\n`);
  return r;
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
  const redis = new Redis(requireEnv('REDIS_URL'));
  const rows: Ingest[] = [await ingest('alone', pool, redis, 'alone')];
  let calls: { offeredPerS: number; seconds: number; placed: number; failed: number } | undefined;
  if (CALL_RATE > 0) {
    const svcPrefix = `ingestload${RUN}`;
    const svc = await spawnService({
      REDIS_PREFIX: svcPrefix,
      INSTANCE_ID: 'ingestload',
      LOG_LEVEL: 'warn',
      REPORTS_ROLLUP_SWEEP: 'false',
    });
    let floor: CallFloor | undefined;
    try {
      floor = await openFloor(svc.url, 120, 2000);
      // Long enough to cover the measurement (about twice the time alone, plus the 5 s the load settles in).
      const seconds = Math.ceil(rows[0]!.seconds * 3) + 15;
      const placing = placeCalls(RUN, CALL_RATE, seconds);
      await sleep(5000);
      rows.push(await ingest(`while ${CALL_RATE} calls/s are routed`, pool, redis, 'loaded'));
      const placed = await placing;
      calls = { offeredPerS: CALL_RATE, seconds, ...placed };
    } finally {
      if (floor) await closeFloor(floor).catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
      await releaseStasisApp().catch((err: Error) => process.stderr.write(`[bench] ${err.message}\n`));
      await killHard(svc);
      await unlinkPrefix(redis, svcPrefix);
    }
  }
  const command = `npm run bench:ingest -- --events ${EVENTS}${CALL_RATE ? ` --call-rate ${CALL_RATE}` : ''}`;
  const line = (r: Ingest) =>
    `| ${r.label} | ${r.events.toLocaleString('en')} | ${r.eventsPerS} | ${r.publishS.toFixed(1)} | ${r.seconds.toFixed(1)} | ${r.inStream.toLocaleString('en')} | ${r.cpuBusyPct} |`;
  const section = [
    '## Event ingestion (issue 5)',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} cores, Postgres and Redis on the same machine. Command: \`${command}\`.`,
    'Events published as calls publish them (2 at a time, the mix of an answered call: 10 events, 1 `calls` row created and updated),',
    'through the outbox journal into Postgres (`events` + `calls` projection, events gathered for 50 ms, one transaction per batch of up to 500) and the Redis stream',
    '(one Lua script, run by its SHA1, per batch gathered for 20 ms). Time until both stores had every event.',
    ...(calls
      ? [
          `Under load: the service (spawned with the rig's settings) routing ${calls.offeredPerS} calls/s through Asterisk to 120 SIPp agents`,
          `(bench/call-load.ts, as bench:kb-floor), ${calls.placed.toLocaleString('en')} calls placed in ${calls.seconds} s, ${calls.failed} failed.`,
        ]
      : []),
    '',
    '| while | events | events/s into both stores | publishing took (s) | until both had all (s) | in the Redis stream | CPUs busy % |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(line),
    '',
  ].join('\n');
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marker = '## Event ingestion (issue 5)';
  // In place, so the sections around it stay in their order.
  const next = old.includes(marker)
    ? old.replace(/## Event ingestion \(issue 5\)[\s\S]*?(?=\n## |\n<!-- |$)/, `${section}`)
    : `${old.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO }).toString().trim();
  const json = {
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    commit,
    command,
    date: new Date().toISOString(),
    goalEventsPerS: 20_000,
    calls: calls ?? null,
    rows,
  };
  writeFileSync(path.join(REPO, 'docs', 'benchmarks', 'ingest.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`${section}\n`);
  await pool.end();
  redis.disconnect();
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
