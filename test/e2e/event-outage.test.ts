import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { requireEnv } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { freeTcpPort } from '../support/process.js';

/**
 * Store outages with real Postgres and Redis. Postgres is cut off by closing a TCP proxy in
 * front of it (the shared server keeps running for everything else); Redis is a private
 * server stopped and started again. Each outage lasts OUTAGE_S (60, the minute) with
 * taxpayers calling all through it.
 */
const OUTAGE_MS = Number(process.env.OUTAGE_S ?? 60) * 1000;
class PgProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: number,
  ) {}
  async open(): Promise<void> {
    this.server = createServer((c) => {
      const up = connect(this.target, '127.0.0.1');
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

const outbox = mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-'));
const dbUrl = new URL(requireEnv('DATABASE_URL'));
let proxy: PgProxy;
let redisPort: number;
let redisProc: ChildProcess | undefined;
let rig: TestRig | undefined;

function startRedis(): ChildProcess {
  return spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}
const redisUp = () => {
  try {
    return execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' }).trim() === 'PONG';
  } catch {
    return false;
  }
};

async function service(): Promise<TestRig> {
  const url = new URL(dbUrl);
  url.port = String(proxy.port);
  return startTestService({
    DATABASE_URL: url.toString(),
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    OUTBOX_DIR: outbox,
    REDIS_PREFIX: 't12outage',
    INSTANCE_ID: 'outage',
  });
}

/** A caller who presses 2 (national tax) and hangs up in that menu: a handful of call and IVR events. */
async function callInIvr(): Promise<string> {
  const caller = uniqueCaller();
  const r = await sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: 2500 },
    files: { pcap: dtmfPcap(presses('2', 500), { audioMs: 2500 }) },
    timeoutS: 30,
  }).done;
  expect(r.code, r.errors || r.output.slice(-1000)).toBe(0);
  return caller;
}

/** Callers one after another until `ms` have passed since `from`. */
async function callsUntil(from: number, ms: number): Promise<string[]> {
  const callers: string[] = [];
  while (Date.now() - from < ms) callers.push(await callInIvr());
  return callers;
}

async function eventIdsInPg(r: TestRig, caller: string): Promise<string[]> {
  const q = await r.pool.query<{ id: string }>(
    "SELECT e.id FROM events e WHERE e.call_id IN (SELECT call_id FROM events WHERE type = 'call.started' AND body->>'caller' = $1) ORDER BY seq",
    [caller],
  );
  return q.rows.map((x) => x.id);
}

async function callEndedInPg(r: TestRig, caller: string): Promise<boolean> {
  const q = await r.pool.query(
    "SELECT 1 FROM events WHERE type = 'call.ended' AND call_id IN (SELECT call_id FROM events WHERE type = 'call.started' AND body->>'caller' = $1)",
    [caller],
  );
  return (q.rowCount ?? 0) > 0;
}

async function eventIdsInStream(redis: Redis, caller: string): Promise<string[]> {
  return (await eventsInStream(redis, caller)).map((e) => e.id);
}

async function eventsInStream(redis: Redis, caller: string): Promise<Array<{ id: string; type: string }>> {
  const entries = await redis.xrange('t12outage:events', '-', '+');
  const fields = entries.map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])));
  const callIds = new Set(fields.filter((f) => f.type === 'call.started' && JSON.parse(f.json!).caller === caller).map((f) => f.callId));
  return fields.filter((f) => callIds.has(f.callId)).map((f) => ({ id: f.id!, type: f.type! }));
}

afterAll(async () => {
  await rig?.stop().catch(() => undefined);
  await proxy?.cut();
  redisProc?.kill('SIGKILL');
  rmSync(outbox, { recursive: true, force: true });
});

describe('events across store outages (real Postgres and Redis)', () => {
  it(
    'Postgres away for a minute of calls and across a restart of the service: every event arrives once',
    async () => {
      proxy = new PgProxy(await freeTcpPort(), Number(dbUrl.port || 5432));
      await proxy.open();
      redisPort = await freeTcpPort();
      redisProc = startRedis();
      await waitFor('private redis', async () => redisUp());
      rig = await service();
      await activateIvr(rig, alwaysOpen12366());

      await proxy.cut();
      const cutAt = Date.now();
      // Calls all through the outage but its last seconds, which the restart below takes.
      const callers = await callsUntil(cutAt, OUTAGE_MS - 10_000);
      // The Redis stream got the calls' events at once; Postgres cannot have them.
      const redis = new Redis(`redis://127.0.0.1:${redisPort}`);
      const streamed = new Map<string, string[]>();
      for (const caller of callers) {
        streamed.set(
          caller,
          await waitFor(`${caller}'s whole call in the stream`, async () => {
            const evs = await eventsInStream(redis, caller);
            return evs.some((e) => e.type === 'call.ended') ? evs.map((e) => e.id) : undefined;
          }),
        );
      }
      expect(rig.svc.publisher.pending().postgres).toBeGreaterThan(0);

      // The service stops while Postgres is still away: the events wait in the outbox on disk.
      await rig.stop();
      rig = undefined;
      await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - cutAt))));
      await proxy.open();
      rig = await service();
      for (const [caller, ids] of streamed) {
        await waitFor('outbox drained into Postgres', async () => (await eventIdsInPg(rig!, caller)).length === ids.length, 20_000);
        const stored = await eventIdsInPg(rig, caller);
        expect(new Set(stored).size).toBe(stored.length);
        expect([...stored].sort()).toEqual([...ids].sort());
        // And the stream did not get them a second time from the restarted service.
        expect((await eventIdsInStream(redis, caller)).length).toBe(ids.length);
      }
      expect(callers.length).toBeGreaterThan(3);
      redis.disconnect();
    },
    OUTAGE_MS + 90_000,
  );

  it(
    'Redis stopped for a minute of calls: the calls go on, and their events reach the new Redis once, and Postgres once',
    async () => {
      redisProc!.kill('SIGTERM');
      await waitFor('redis down', async () => !redisUp());
      const stoppedAt = Date.now();
      const callers = await callsUntil(stoppedAt, OUTAGE_MS);
      // Wait for each whole call (through call.ended) in Postgres before comparing with the stream.
      const inPg = new Map<string, string[]>();
      for (const caller of callers) {
        await waitFor('the whole call in Postgres', () => callEndedInPg(rig!, caller));
        inPg.set(caller, await eventIdsInPg(rig!, caller));
      }
      expect(rig!.svc.publisher.pending().redis).toBeGreaterThan(0);

      redisProc = startRedis();
      await waitFor('redis up', async () => redisUp());
      const redis = new Redis(`redis://127.0.0.1:${redisPort}`);
      for (const [caller, ids] of inPg) {
        await waitFor('outbox drained into Redis', async () => (await eventIdsInStream(redis, caller)).length === ids.length, 20_000);
        const streamed = await eventIdsInStream(redis, caller);
        expect(new Set(streamed).size).toBe(streamed.length);
        expect([...streamed].sort()).toEqual([...ids].sort());
        expect(new Set(await eventIdsInPg(rig!, caller)).size).toBe(ids.length);
      }
      expect(callers.length).toBeGreaterThan(3);
      redis.disconnect();
    },
    OUTAGE_MS + 90_000,
  );
});
