import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { liveRoutes } from '../../src/features/live/routes.js';
import type { LiveSnapshot } from '../../src/features/live/snapshot.js';

const TOKEN = 'unit-test-token-0123456789';
const SESSION = 'unit-test-session-9876543210';
const tokens = {
  [TOKEN]: { id: 'test', role: 'admin', via: 'bootstrap' },
  [SESSION]: { id: 'someone', role: 'readonly', via: 'session' },
} as const;
const RECHECK_MS = 100;
const EVERY_MS = 200;
let taken = 0;
/** Stands in for the Redis reads: counts how many snapshots were taken. */
async function snapshot(): Promise<LiveSnapshot> {
  taken++;
  return {
    at: new Date().toISOString(),
    queues: [{ queue: 'ntax-vat', waiting: taken, callbacksWaiting: 0, longestWaitS: 1, serving: 1 }],
    agents: { logged_out: 0, available: 1, reserved: 0, on_call: 0, wrap_up: 0, paused: 0 },
    paused: {},
    agentRows: [],
  };
}

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth(tokens as unknown as Parameters<typeof fixedTokenAuth>[0]),
    probes: [],
    api: [liveRoutes({ snapshot, everyMs: EVERY_MS, recheckMs: RECHECK_MS, perPrincipal: 8 })],
  });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
});
afterAll(async () => {
  await app.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live routes', () => {
  it('wallboards share one snapshot per period, however many are open and however often /metrics is scraped', async () => {
    const clients = Array.from({ length: 8 }, () => new WebSocket(`${base}/api/live?access_token=${TOKEN}`));
    const frames = clients.map(() => [] as number[]);
    clients.forEach((c, i) => c.on('message', (m) => frames[i]!.push(JSON.parse(m.toString()).queues[0].waiting)));
    await Promise.all(clients.map((c) => new Promise((r) => c.once('open', r))));
    const before = taken;
    for (let i = 0; i < 10; i++) {
      const r = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.statusCode).toBe(200);
    }
    await sleep(EVERY_MS * 5 + 50);
    const during = taken - before;
    // Five periods: about five snapshots (one per tick), not one per client per tick plus one per scrape.
    expect(during).toBeGreaterThanOrEqual(4);
    expect(during).toBeLessThanOrEqual(7);
    for (const f of frames) {
      expect(f.length).toBeGreaterThanOrEqual(5);
      // Every client saw the same snapshots, the latest ones included.
      expect(f.at(-1)).toBe(frames[0]!.at(-1));
    }
    for (const c of clients) c.close();
    await sleep(EVERY_MS);
    const closed = taken;
    await sleep(EVERY_MS * 3);
    // Nobody watching: no more snapshots.
    expect(taken).toBe(closed);
  });

  const opened = (c: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      c.once('open', () => resolve());
      c.once('error', reject);
    });
  const closed = (c: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      c.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );

  it('a token in the URL counts on the /api/live upgrade only', async () => {
    const withQuery = await app.inject({
      method: 'GET',
      url: `/metrics?access_token=${TOKEN}`,
      headers: { upgrade: 'websocket', connection: 'upgrade' },
    });
    expect(withQuery.statusCode).toBe(401);
    const header = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(header.statusCode).toBe(200);
  });

  it('one principal holds at most its share of sockets; the next is closed with 4429', async () => {
    const clients = Array.from({ length: 8 }, () => new WebSocket(`${base}/api/live?access_token=${TOKEN}`));
    await Promise.all(clients.map(opened));
    const extra = new WebSocket(`${base}/api/live?access_token=${TOKEN}`);
    expect((await closed(extra)).code).toBe(4429);
    // Another principal is not affected.
    const other = new WebSocket(`${base}/api/live?access_token=${SESSION}`);
    await opened(other);
    for (const c of [...clients, other]) c.close();
    await sleep(50);
    // Closed sockets give their places back.
    const again = new WebSocket(`${base}/api/live?access_token=${TOKEN}`);
    await opened(again);
    again.close();
  });

  it('a socket whose token stops being valid is closed with 4401 within the recheck period', async () => {
    const c = new WebSocket(`${base}/api/live?access_token=${SESSION}`);
    await opened(c);
    const t0 = Date.now();
    const done = closed(c);
    delete (tokens as Record<string, unknown>)[SESSION];
    const { code } = await done;
    expect(code).toBe(4401);
    expect(Date.now() - t0).toBeLessThan(RECHECK_MS * 3);
  });

  it('a frame larger than the limit ends the socket (1009)', async () => {
    const c = new WebSocket(`${base}/api/live?access_token=${TOKEN}`);
    await opened(c);
    const done = closed(c);
    c.send('x'.repeat(64 * 1024));
    expect((await done).code).toBe(1009);
  });
});
