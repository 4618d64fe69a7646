/**
 * Event ingestion: how many events per second the outbox delivers into Postgres and the Redis
 * stream together (both must have every event). Writes a section of docs/benchmarks.md.
 *
 *   npm run bench:ingest -- --events 200000
 *
 * Events are published as calls publish them (a few per step), with the mix of a real call:
 * call.started, ivr.*, call.queued, offers, call.ended. Uses the test database and a private
 * Redis key prefix; the rows it writes are deleted afterwards.
 */
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

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1] || d);
const EVENTS = arg('events', 200_000);
const prefix = `bench-ingest-${Date.now() % 100000}`;

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

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 4 });
  const redis = new Redis(requireEnv('REDIS_URL'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ingest-'));
  const publisher = new EventPublisher(
    new Journal(dir, 'bench'),
    [
      { name: 'postgres', write: (b) => new PgEventStore(pool).append(b.map((x) => x.event)), lingerMs: HISTORY_LINGER_MS },
      new RedisEventStream(redis, `${prefix}:events`, `${prefix}:events:from:bench`, 1_000_000),
    ],
    pino({ level: 'warn' }),
  );
  const ctx = (): Ctx => ({ now: Date.now(), newId: () => uuidv7() });
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
  const inStream = await redis.xlen(`${prefix}:events`);
  publisher.close();
  // Leave the test database and Redis as they were.
  await pool.query("DELETE FROM events WHERE call_id IN (SELECT call_id FROM calls WHERE caller LIKE 'bench%')");
  await pool.query("DELETE FROM calls WHERE caller LIKE 'bench%'");
  await redis.del(`${prefix}:events`, `${prefix}:events:from:bench`);
  rmSync(dir, { recursive: true, force: true });
  const line = `| ${published.toLocaleString('en')} | ${(published / seconds).toFixed(0)} | ${((tPublished - t0) / 1000).toFixed(1)} | ${seconds.toFixed(1)} | ${inStream.toLocaleString('en')} |`;
  const section = [
    '## Event ingestion (issue 5)',
    '',
    `Run ${new Date().toISOString()} on ${os.cpus().length} cores, Postgres and Redis on the same machine. Command: \`npm run bench:ingest -- --events ${EVENTS}\`.`,
    'Events published as calls publish them (2 at a time, the mix of an answered call: 10 events, 1 `calls` row created and updated),',
    'through the outbox journal into Postgres (`events` + `calls` projection, events gathered for 50 ms, one transaction per batch of up to 500) and the Redis stream',
    '(one Lua script, run by its SHA1, per batch gathered for 20 ms). Time until both stores had every event.',
    '',
    '| events | events/s into both stores | publishing took (s) | until both had all (s) | in the Redis stream |',
    '| --- | --- | --- | --- | --- |',
    line,
    '',
  ].join('\n');
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marker = '## Event ingestion (issue 5)';
  const kept = old.includes(marker)
    ? old.replace(/## Event ingestion \(issue 5\)[\s\S]*?(?=\n## |\n<!-- |$)/, '').trimEnd()
    : old.trimEnd();
  writeFileSync(file, `${kept}\n\n${section}`);
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
