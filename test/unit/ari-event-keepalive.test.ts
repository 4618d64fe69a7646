import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AriEventStream } from '../../src/adapters/ari/events.js';

// A host that went away sends no FIN: the event stream would look connected for as long as TCP
// kept trying. It pings, and gives a silent connection up (then reconnects as after any loss).
const servers: WebSocketServer[] = [];
const streams: AriEventStream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) await s.stop();
  for (const w of servers.splice(0)) await new Promise((r) => w.close(r));
});

async function asterisk(o: { answersPings: boolean }) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: o.answersPings });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  let connections = 0;
  wss.on('connection', () => connections++);
  const stream = new AriEventStream(
    {
      url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      user: 'u',
      password: 'p',
      app: 'tax12366',
      log: pino({ level: 'silent' }),
      pingEveryMs: 20,
      minBackoffMs: 10,
      maxBackoffMs: 10,
    },
    () => undefined,
  );
  streams.push(stream);
  let losses = 0;
  stream.on('disconnected', () => losses++);
  stream.start();
  await stream.waitConnected(2000);
  return { stream, losses: () => losses, connections: () => connections };
}

describe('ARI event stream keep-alive', () => {
  it('a peer that answers no ping is given up after three, and the stream reconnects', async () => {
    const a = await asterisk({ answersPings: false });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.losses()).toBeGreaterThanOrEqual(1);
    expect(a.connections()).toBeGreaterThanOrEqual(2);
  });

  it('a peer that answers its pings keeps the one connection', async () => {
    const a = await asterisk({ answersPings: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(a.losses()).toBe(0);
    expect(a.connections()).toBe(1);
    expect(a.stream.connected).toBe(true);
  });

  it('a peer that answers its pings is kept though this thread was too busy to read them for many pings', async () => {
    // A busy service (a long report, a GC pause, a machine short of CPU) reads the pong late: the
    // timer fires first when the thread is free. That is one late answer, not three unanswered pings.
    const a = await asterisk({ answersPings: true });
    await new Promise((r) => setTimeout(r, 100));
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // busy: nothing is read from the socket meanwhile
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(a.losses()).toBe(0);
    expect(a.connections()).toBe(1);
  });
});
