import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { liveRoutes } from '../../src/features/live/routes.js';
import type { LiveSnapshot } from '../../src/features/live/snapshot.js';

const TOKEN = 'unit-test-token-0123456789';
const EVERY_MS = 200;
let taken = 0;
/** Stands in for the Redis reads: counts how many snapshots were taken. */
async function snapshot(): Promise<LiveSnapshot> {
  taken++;
  return {
    at: new Date().toISOString(), queues: [{ queue: 'ntax-vat', waiting: taken, callbacksWaiting: 0, longestWaitS: 1 }],
    agents: { logged_out: 0, available: 1, reserved: 0, on_call: 0, wrap_up: 0, paused: 0 }, paused: {},
  };
}

let app: FastifyInstance;
let base: string;
beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }), auth: fixedTokenAuth({ [TOKEN]: { id: 'test', role: 'admin', via: 'bootstrap' } }), probes: [],
    api: [liveRoutes({ snapshot, everyMs: EVERY_MS })],
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
});
