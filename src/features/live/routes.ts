import type { WebSocket } from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { Type } from '@sinclair/typebox';
import type { LiveSnapshot } from './snapshot.js';
import { SharedRead } from '../../shared/shared-read.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';

/** Open /api/live sockets per account or API key: a few wallboards and tabs, not a flood. */
export const LIVE_PER_PRINCIPAL = 10;
/** Each open socket's token is checked again this often: a revoked session's socket closes within it. */
export const LIVE_RECHECK_MS = 5000;
/** Close codes (4000-4999 are the application's): as the HTTP statuses they stand for. */
export const CLOSE_REVOKED = 4401;
export const CLOSE_TOO_MANY = 4429;

const NumOrNull = Type.Union([Type.Number(), Type.Null()]);
const StrOrNull = Type.Union([Type.String(), Type.Null()]);
const AgentState = Type.Union(['logged_out', 'available', 'reserved', 'on_call', 'wrap_up', 'paused'].map((s) => Type.Literal(s)));
/** What /api/live sends as each message (features/live/snapshot.ts). */
const Snapshot = Type.Object({
  at: Type.String(),
  today: Type.Optional(
    Type.Array(
      Type.Object({
        queue: Type.Union([Type.String(), Type.Null()]),
        offered: Type.Number(),
        answered: Type.Number(),
        abandoned: Type.Number(),
        shortAbandoned: Type.Number(),
        serviceLevel: NumOrNull,
        asaMs: NumOrNull,
        abandonRate: NumOrNull,
        longestWaitMs: NumOrNull,
      }),
    ),
  ),
  queues: Type.Array(
    Type.Object({
      queue: Type.String(),
      waiting: Type.Number(),
      callbacksWaiting: Type.Number(),
      longestWaitS: NumOrNull,
      serving: Type.Number({ description: 'agents logged in with a registered phone who serve the queue' }),
    }),
  ),
  agents: Type.Record(Type.String(), Type.Number(), { description: 'agents per state' }),
  paused: Type.Record(Type.String(), Type.Number(), { description: 'paused agents per reason' }),
  agentRows: Type.Array(
    Type.Object({
      agentId: Type.String(),
      name: Type.String(),
      state: AgentState,
      registered: Type.Boolean({ description: 'whether its phone is registered' }),
      pauseReason: Type.Union([Type.String(), Type.Null()], {
        description: 'pause reason code while paused (names: GET /api/pause-reasons)',
      }),
      since: Type.Number({ description: 'when the agent entered this state, ms since the epoch' }),
      callId: StrOrNull,
      caller: Type.Union([Type.String(), Type.Null()], { description: "the current call's caller number" }),
      callQueue: Type.Union([Type.String(), Type.Null()], { description: "the current call's queue" }),
      queues: Type.Array(Type.String(), { description: 'queues the agent serves' }),
    }),
    { description: 'every agent, in id order' },
  ),
});

/**
 * Live figures for wallboards and tools, both authenticated like the rest of the API:
 * - GET /metrics: Prometheus text (calls waiting, longest wait, agents per state and pause reason,
 *   today so far, and the process: CPU, memory, event-loop delay, GC pauses);
 * - GET /api/live (WebSocket): the same snapshot on connect and every `everyMs`, so no one polls.
 *
 * A snapshot reads every agent and waiting call: one is taken per `everyMs` however many
 * wallboards are open and however often /metrics is scraped, and every client gets that one.
 */
export function liveRoutes(d: {
  snapshot: () => Promise<LiveSnapshot>;
  everyMs?: number;
  /** How often each open socket's token is checked again (revoked sessions close within this). */
  recheckMs?: number;
  /** Open sockets one principal (account, API key) may hold; the next is closed at once. */
  perPrincipal?: number;
  /** The process's own figures (processMetrics()), scraped beside the hotline's. */
  process?: Registry;
}): TypedPlugin {
  return async (app) => {
    // Read when a request comes, as every plugin's dependencies are.
    const everyMs = () => d.everyMs ?? 1000;
    // Half the period: each tick takes a new one, a scrape or a new client between ticks shares it.
    let shared: SharedRead<LiveSnapshot> | undefined;
    const latest = () => (shared ??= new SharedRead(d.snapshot, everyMs() / 2, Date.now)).get();
    const hotline = new Registry();
    // Joined at the first scrape: dependencies are read when a request comes.
    let both: Registry | undefined;
    const scraped = () => (both ??= d.process ? Registry.merge([hotline, d.process]) : hotline);
    const waiting = new Gauge({
      name: 'tax12366_calls_waiting',
      help: 'Callers waiting in a queue now',
      labelNames: ['queue'],
      registers: [hotline],
    });
    const callbacks = new Gauge({
      name: 'tax12366_callbacks_waiting',
      help: 'Kept places waiting to be called back',
      labelNames: ['queue'],
      registers: [hotline],
    });
    const longest = new Gauge({
      name: 'tax12366_longest_wait_seconds',
      help: 'Longest current wait in a queue',
      labelNames: ['queue'],
      registers: [hotline],
    });
    const agents = new Gauge({ name: 'tax12366_agents', help: 'Agents by state', labelNames: ['state'], registers: [hotline] });
    const paused = new Gauge({
      name: 'tax12366_agents_paused',
      help: 'Paused agents by reason',
      labelNames: ['reason'],
      registers: [hotline],
    });
    // Today so far, from the same definitions as the reports (docs/metrics.md); queue="" is all queues.
    const today = {
      offered: new Gauge({
        name: 'tax12366_today_offered',
        help: 'Calls that asked for a person today',
        labelNames: ['queue'],
        registers: [hotline],
      }),
      answered: new Gauge({
        name: 'tax12366_today_answered',
        help: 'Calls answered by an agent today',
        labelNames: ['queue'],
        registers: [hotline],
      }),
      abandoned: new Gauge({
        name: 'tax12366_today_abandoned',
        help: 'Calls abandoned in queue or while ringing today',
        labelNames: ['queue'],
        registers: [hotline],
      }),
      serviceLevel: new Gauge({
        name: 'tax12366_today_service_level',
        help: 'Service level today (0..1)',
        labelNames: ['queue'],
        registers: [hotline],
      }),
      asa: new Gauge({
        name: 'tax12366_today_asa_seconds',
        help: 'Average speed of answer today',
        labelNames: ['queue'],
        registers: [hotline],
      }),
      abandonRate: new Gauge({
        name: 'tax12366_today_abandon_rate',
        help: 'Abandon rate today (0..1)',
        labelNames: ['queue'],
        registers: [hotline],
      }),
    };

    app.get(
      '/metrics',
      {
        schema: {
          tags: ['live'],
          summary:
            'Prometheus text: calls waiting, longest wait, agents per state and pause reason, today so far, and the process (CPU, memory, event-loop delay, GC)',
          response: { 200: { description: 'Prometheus exposition format', content: { 'text/plain': { schema: Type.String() } } } },
        },
      },
      async (_req, reply) => {
        const s = await latest();
        for (const g of [waiting, callbacks, longest, agents, paused, ...Object.values(today)]) g.reset();
        for (const t of s.today ?? []) {
          const queue = t.queue ?? '';
          today.offered.set({ queue }, t.offered);
          today.answered.set({ queue }, t.answered);
          today.abandoned.set({ queue }, t.abandoned);
          if (t.serviceLevel !== null) today.serviceLevel.set({ queue }, t.serviceLevel);
          if (t.asaMs !== null) today.asa.set({ queue }, t.asaMs / 1000);
          if (t.abandonRate !== null) today.abandonRate.set({ queue }, t.abandonRate);
        }
        for (const q of s.queues) {
          waiting.set({ queue: q.queue }, q.waiting);
          callbacks.set({ queue: q.queue }, q.callbacksWaiting);
          if (q.longestWaitS !== null) longest.set({ queue: q.queue }, q.longestWaitS);
        }
        for (const [state, n] of Object.entries(s.agents)) agents.set({ state }, n);
        for (const [reason, n] of Object.entries(s.paused)) paused.set({ reason }, n);
        const registry = scraped();
        return reply.type(registry.contentType).send(await registry.metrics());
      },
    );

    // @fastify/websocket is registered once for the app (http/app.ts, with the frame size limit).
    const watchers = new Set<{ readyState: number; send: (data: string) => void }>();
    /** Open sockets per principal, and per bearer token (each token checked once per round however many sockets share it). */
    const perPrincipal = new Map<string, number>();
    const byToken = new Map<FastifyRequest, Set<WebSocket>>();
    let rechecker: NodeJS.Timeout | undefined;
    const recheck = async () => {
      await Promise.all(
        [...byToken].map(async ([req, sockets]) => {
          const still = await req.reauthenticate().catch(() => 'unknown' as const);
          // A failed lookup (database away) is not a revocation: the next round decides.
          if (still === 'unknown') return;
          if (still?.id === req.principal?.id && still?.role === req.principal?.role) return;
          for (const s of sockets) s.close(CLOSE_REVOKED, 'session ended or revoked');
        }),
      );
    };
    let ticker: NodeJS.Timeout | undefined;
    const broadcast = () =>
      void latest().then(
        (s) => {
          const frame = JSON.stringify(s);
          for (const w of watchers) if (w.readyState === 1) w.send(frame);
        },
        () => undefined,
      );
    app.addHook('preClose', async () => {
      clearInterval(ticker);
      clearInterval(rechecker);
      for (const client of app.websocketServer.clients) client.terminate();
    });
    app.get(
      '/api/live',
      {
        websocket: true,
        schema: {
          tags: ['live'],
          summary: 'WebSocket: the live snapshot on connect and every second after (queues, today so far, every agent)',
          querystring: Type.Object({
            access_token: Type.Optional(
              Type.String({ description: 'the bearer token, for browsers that cannot set headers on a WebSocket' }),
            ),
          }),
          response: {
            101: {
              description: 'Switching Protocols; then one JSON message per snapshot',
              content: { 'application/json': { schema: Snapshot } },
            },
          },
        },
      },
      (socket, req) => {
        const who = req.principal?.id ?? '';
        const open = perPrincipal.get(who) ?? 0;
        if (open >= (d.perPrincipal ?? LIVE_PER_PRINCIPAL)) {
          socket.close(CLOSE_TOO_MANY, `at most ${d.perPrincipal ?? LIVE_PER_PRINCIPAL} live connections per account or key`);
          return;
        }
        perPrincipal.set(who, open + 1);
        // The request object carries the token and the principal it had at the upgrade.
        const mine = byToken.get(req) ?? new Set<WebSocket>();
        mine.add(socket);
        byToken.set(req, mine);
        rechecker ??= setInterval(() => void recheck(), d.recheckMs ?? LIVE_RECHECK_MS);
        socket.on('close', () => {
          const left = (perPrincipal.get(who) ?? 1) - 1;
          if (left > 0) perPrincipal.set(who, left);
          else perPrincipal.delete(who);
          mine.delete(socket);
          if (!mine.size) byToken.delete(req);
          if (byToken.size) return;
          clearInterval(rechecker);
          rechecker = undefined;
        });
        void latest().then(
          (s) => socket.readyState === 1 && socket.send(JSON.stringify(s)),
          () => undefined,
        );
        watchers.add(socket);
        ticker ??= setInterval(broadcast, everyMs());
        socket.on('close', () => {
          watchers.delete(socket);
          if (watchers.size) return;
          clearInterval(ticker);
          ticker = undefined;
        });
      },
    );
  };
}

/**
 * The service's own health beside the hotline's: a slow call to an agent is often a GC pause or a
 * blocked event loop (docs/benchmarks.md). Buckets fine enough for pauses of a millisecond. Made
 * once per process by the composition root: its collectors (a GC observer, an event-loop monitor)
 * cannot be stopped, so each app built in one process must not start its own.
 */
export function processMetrics(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, gcDurationBuckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5] });
  return registry;
}
