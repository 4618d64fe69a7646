import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './config.js';
import type { Ctx } from './core/events.js';
import { uuidv7, uuidv7Time } from './shared/uuidv7.js';
import { AriHttp } from './adapters/ari/http.js';
import { AriClient } from './adapters/ari/client.js';
import { AriEventStream } from './adapters/ari/events.js';
import { phoneReachable } from './adapters/ari/device-state.js';
import type { AriEvent } from './adapters/ari/types.js';
import { migrate } from './adapters/postgres/migrate.js';
import { HISTORY_LINGER_MS, PgEventStore } from './features/events/event-store.js';
import { PgAgentRepo } from './features/agents/agent-repo.js';
import { PgIvrRepo } from './features/ivr/ivr-repo.js';
import { IvrCatalog } from './features/ivr/catalog.js';
import { PgRoutingRepo } from './features/routing/routing-repo.js';
import { RoutingCatalog } from './features/routing/catalog.js';
import { OfferOutcomes } from './features/agents/offer-outcomes.js';
import { StuckAgents } from './features/agents/stuck-agents.js';
import { CallbackService } from './features/callbacks/callback-service.js';
import { redisKeys } from './adapters/redis/keys.js';
import { LiveState } from './adapters/redis/live-state.js';
import { RedisEventStream } from './features/events/event-stream.js';
import { ConfigLock } from './features/versioned-config/config-lock.js';
import { SharedRead } from './shared/shared-read.js';
import { PromptSynth } from './adapters/prompts/synth.js';
import { ensureSystemPrompts } from './features/ivr/system-prompts.js';
import { EventPublisher } from './features/events/publisher.js';
import { LiveStateWatch } from './features/live/live-state-watch.js';
import { restoreKeptPlaces } from './features/callbacks/kept-places.js';
import { Journal } from './adapters/outbox/journal.js';
import { AgentService } from './features/agents/agent-service.js';
import { FeatureCodes } from './features/agents/feature-codes.js';
import { CALL_EVENTS, CallService } from './features/calls/call-service.js';
import { Dispatcher } from './features/routing/dispatcher.js';
import { AgentMirror } from './features/agents/agent-mirror.js';
import { buildHttp } from './http/app.js';
import { ivrRoutes } from './features/ivr/routes.js';
import { liveRoutes, processMetrics } from './features/live/routes.js';
import type { Registry } from 'prom-client';
import { simulateRoutes } from './features/routing/simulate-routes.js';
import { liveSnapshot } from './features/live/snapshot.js';
import { localDay } from './features/reports/days.js';
import { routingRoutes } from './features/routing/routes.js';
import { callbackRoutes } from './features/callbacks/routes.js';
import { PgCallbackRepo } from './features/callbacks/callback-repo.js';
import { CallbackQueries } from './features/callbacks/callback-queries.js';
import { agentRoutes } from './features/agents/routes.js';
import { reportRoutes } from './features/reports/routes.js';
import { ReportsInWorker } from './features/reports/in-worker.js';
import { PgAccountRepo } from './features/auth/account-repo.js';
import { PgAuditRepo } from './features/audit/audit-repo.js';
import { AuditService } from './features/audit/audit-service.js';
import { LoginLimiter } from './features/auth/login-limiter.js';
import { AuthService } from './features/auth/auth-service.js';
import { accountRoutes } from './features/auth/routes.js';
import { auditRoutes } from './features/audit/routes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Service {
  config: Config;
  url: string;
  calls: CallService;
  agents: AgentService;
  ivr: IvrCatalog;
  live: LiveState;
  stuck: StuckAgents;
  ari: AriClient;
  publisher: EventPublisher;
  stop: () => Promise<void>;
}

/** Thrown when a dependency cannot be reached at boot; names each one. */
export class DependencyError extends Error {
  constructor(readonly failures: Record<string, string>) {
    super(`cannot start: ${Object.entries(failures).map(([k, v]) => `${k} unreachable (${v})`).join('; ')}`);
    this.name = 'DependencyError';
  }
}

/** The composition root: builds every adapter and service once and wires them together. */
export async function startService(config: Config, log: Logger, opts: { processMetrics?: Registry } = {}): Promise<Service> {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10, connectionTimeoutMillis: 3000 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'postgres pool error'));
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis error'));
  // Bulk traffic (event batches, the every-agent read) on a socket of its own, so a call's claim
  // never waits behind it on the routing connection.
  const bulkRedis = redis.duplicate();
  bulkRedis.on('error', (err) => log.debug({ err: err.message }, 'redis (bulk) error'));
  const ariHttp = new AriHttp({ url: config.ARI_URL, user: config.ARI_USER, password: config.ARI_PASSWORD, maxSockets: config.ARI_MAX_SOCKETS });
  const ari = new AriClient(ariHttp, config.ARI_APP);

  const closeAll = async () => {
    ariHttp.close();
    redis.disconnect();
    bulkRedis.disconnect();
    await pool.end().catch(() => undefined);
  };

  const failures: Record<string, string> = {};
  await Promise.all([
    pool.query('SELECT 1').catch((e: Error) => (failures.postgres = `${redact(config.DATABASE_URL)}: ${e.message}`)),
    Promise.all([redis.connect(), bulkRedis.connect()]).then(() => redis.ping()).catch((e: Error) => (failures.redis = `${config.REDIS_URL}: ${e.message}`)),
    ari.info().catch((e: Error) => (failures.asterisk = `${config.ARI_URL}: ${e.message}`)),
  ]);
  if (Object.keys(failures).length) {
    await closeAll();
    throw new DependencyError(failures);
  }

  await migrate(pool, path.join(ROOT, 'migrations'), log);
  const synth = new PromptSynth({ soundsDir: config.SOUNDS_DIR, recordedDir: path.join(ROOT, 'prompts', 'recorded'), ttsRoot: config.TTS_ROOT });
  await ensureSystemPrompts(synth, ROOT, log);

  const ctx = (): Ctx => ({ now: Date.now(), newId: () => uuidv7() });
  const keys = redisKeys(config.REDIS_PREFIX);
  const live = new LiveState(redis, keys, bulkRedis);
  const pgStore = new PgEventStore(pool);
  // Events go to a local outbox first: a store outage or a restart loses none of them.
  const journal = new Journal(config.OUTBOX_DIR, `${config.REDIS_PREFIX.replace(/[^A-Za-z0-9_.-]/g, '_')}-${config.INSTANCE_ID}`);
  const publisher = new EventPublisher(
    journal,
    [
      { name: 'postgres', write: (b) => pgStore.append(b.map((x) => x.event)), lingerMs: HISTORY_LINGER_MS },
      new RedisEventStream(bulkRedis, keys.events, keys.eventsFrom(config.INSTANCE_ID), config.EVENT_STREAM_MAXLEN),
    ],
    log,
  );
  const publish = (events: Parameters<EventPublisher['publish']>[0]) => publisher.publish(events);

  let dispatcher: Dispatcher | undefined;
  const kick = () => dispatcher?.kick();
  // Each side is checked against the other's active version (core/config/cross-check.ts), so
  // routing comes first: the shipped IVR tree is checked against it on a first start.
  const routingRepo = new PgRoutingRepo(pool);
  const ivrRepo = new PgIvrRepo(pool);
  const agentRepo = new PgAgentRepo(pool);
  const activeIvr = async () => { const version = await ivr.activeVersion(); return { version, def: await ivr.definition(version) }; };
  const configLock = new ConfigLock(pool);
  const serialize = <T>(change: () => Promise<T>) => configLock.run(change);
  const routing: RoutingCatalog = new RoutingCatalog({
    repo: routingRepo, redis, activeKey: keys.routingActive, log, activeIvr, serialize,
    agents: async () => (await agentRepo.list()).filter((a) => a.active),
  });
  const ivr: IvrCatalog = new IvrCatalog({ repo: ivrRepo, synth, redis, activeKey: keys.ivrActive, log, activeRouting: () => routing.active(), serialize });
  // Instances starting together for the first time would each store and activate the shipped versions.
  await serialize(async () => {
    await routing.init(path.join(ROOT, 'routing', '12366.yaml'));
    await ivr.init(path.join(ROOT, 'ivr', '12366.yaml'));
  });
  // This instance's copy of every agent, for routing, the expected wait and wallboards.
  const mirror = new AgentMirror({ live, now: () => Date.now(), log });
  const agents = new AgentService({
    ari, repo: agentRepo, live, publish, ctx, log, onOfferable: kick, activeRouting: () => routing.active(),
    onProfilesChanged: () => dispatcher?.invalidateAgents(),
  });
  const outcomes = new OfferOutcomes({ agents, live, now: () => Date.now(), log });
  const owner = config.INSTANCE_ID;
  // BullMQ blocks on its connection and must never give up on a command: a connection of its own.
  const bullConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: false });
  bullConnection.on('error', (err) => log.debug({ err: err.message }, 'redis (callbacks) error'));
  const callbackRepo = new PgCallbackRepo(pool);
  const callbacks = new CallbackService({
    connection: bullConnection, prefix: `${config.REDIS_PREFIX}:bull`, ari, trunk: config.TRUNK_ENDPOINT,
    attempts: config.CALLBACK_ATTEMPTS, retryDelayMs: config.CALLBACK_RETRY_S * 1000, ringTimeoutS: 30, publish, ctx, log,
    attemptsSoFar: (callId) => callbackRepo.attemptsSoFar(callId),
  });
  const featureCodes = new FeatureCodes({ ari, agents, lang: config.PROMPT_LANG, log: log.child({ component: 'feature-codes' }) });
  const windowMs = config.PREFERRED_AGENT_WITHIN_H * 3_600_000;
  const calls = new CallService({
    ari, live, agents, ivr, routing, outcomes, callbacks, owner, publish, ctx, log,
    // Read on every incoming call, so from Redis (live state), not a Postgres query. Redis down
    // must not stop calls: the preferred agent is a nicety.
    lastAgentFor: (caller) =>
      live.lastAgent(caller).catch((err: Error) => {
        log.warn({ err: err.message }, 'preferred-agent lookup failed');
        return undefined;
      }),
    rememberAgentFor: async (caller, agentId) => {
      if (windowMs > 0) await live.rememberLastAgent(caller, agentId, windowMs);
    },
    shortAbandonMs: config.SHORT_ABANDON_S * 1000,
    announceEveryS: config.ANNOUNCE_EVERY_S,
    firstAnnounceS: config.ANNOUNCE_FIRST_S,
    servingAgents: (queue) => mirror.serving(queue),
    avgHandleS: config.AVG_HANDLE_S,
    lang: config.PROMPT_LANG,
    kickDispatcher: kick,
    enqueue: (details, score) => dispatcher!.enqueue(details, score),
    onOtherStasisStart: (ch, args) => void featureCodes.handle(ch, args),
  });
  dispatcher = new Dispatcher({
    live, agents: mirror, routing, owner, now: () => Date.now(), log,
    deliver: (c, a) => calls.deliverAgent(c, a),
    expire: (c, action) => calls.expire(c, action),
    callBack: (entry) => callbacks.dial(entry),
  });
  callbacks.start();
  // The preferred-agent rule reads Redis; history fills in what Redis does not have yet.
  let shuttingDown = false;
  const seedPreferred = async () => {
    if (windowMs <= 0) return;
    // Stops between pages at shutdown rather than find the pool closed under it.
    for (let after = ''; !shuttingDown;) {
      const rows = await routingRepo.lastAgents(windowMs, after);
      if (!rows.length) return;
      await live.seedLastAgents(rows.map((r) => ({ caller: r.caller, agentId: r.agentId, untilMs: r.at + windowMs })), Date.now());
      after = rows[rows.length - 1]!.caller;
    }
  };
  let seeding = seedPreferred().catch((err: Error) => log.warn({ err: err.message }, 'preferred agents not loaded from history'));
  const stuck = new StuckAgents({ ari, live, agents, holdsCall: (id) => calls.holds(id), now: () => Date.now(), log, graceMs: 30_000 });
  const housekeeping = setInterval(() => void outcomes.endDueWrapUps().catch((err) => log.warn({ err }, 'wrap-up sweep failed')), 1000);
  const repairs = setInterval(() => void stuck.repair().catch((err) => log.warn({ err }, 'stuck-agent check failed')), 15_000);
  // Redis restarted empty or was flushed: callers waiting then would otherwise never be offered.
  const watch = new LiveStateWatch({
    epoch: (candidate) => live.epoch(candidate),
    newId: () => uuidv7(),
    log,
    recover: async (lost) => {
      const t0 = Date.now();
      // The agents' last states are read from history: everything published goes there first.
      const drained = await publisher.drain(5000);
      const agentsRestored = await agents.liveStateLost();
      const callsQueued = await calls.relist(true);
      // The lost identity was made when that live state began (a UUIDv7).
      const callbacksKept = await restoreKeptPlaces({
        repo: callbackRepo, live, owner, since: uuidv7Time(lost) ?? 0, now: t0,
        redial: (job, before) => callbacks.redial(job, before), dialling: (callId) => callbacks.dialling(callId),
      });
      // A ring or a call that ended while Redis was away left its agent restored as busy.
      const agentsFreed = await stuck.repair();
      log.warn({ agentsRestored, agentsFreed: agentsFreed.length, callsQueued, callbacksKept, historyComplete: drained, ms: Date.now() - t0 }, 'live state put back');
      seeding = seeding.then(seedPreferred).catch((err: Error) => log.warn({ err: err.message }, 'preferred agents not loaded from history'));
      kick();
    },
  });
  await watch.check().catch((err: Error) => log.warn({ err: err.message }, 'live-state check failed'));
  // Each check also puts back calls whose first write or enqueue failed while Redis was away.
  const liveChecks = setInterval(() => void watch.check()
    .then(() => calls.relist(false))
    .then((n) => n && log.warn({ callsQueued: n }, 'callers whose enqueue had failed put in their queues'))
    .catch((err: Error) => log.warn({ err: err.message }, 'live-state check failed')), config.LIVE_STATE_CHECK_S * 1000);

  const onAri = (ev: AriEvent) => {
    if (ev.type === 'DeviceStateChanged') {
      const { name, state } = (ev as Extract<AriEvent, { type: 'DeviceStateChanged' }>).device_state;
      const agentId = name.replace(/^PJSIP\//, '');
      void agents.deviceState(agentId, phoneReachable(state)).catch((err) => log.warn({ err }, 'registration update failed'));
      return;
    }
    calls.onAriEvent(ev);
  };
  /** The sync after the last (re)connection: stop() waits for it, or it could subscribe again after the drop below. */
  let syncing: Promise<void> = Promise.resolve();
  const stream = new AriEventStream({ url: config.ARI_URL, user: config.ARI_USER, password: config.ARI_PASSWORD, app: config.ARI_APP, log }, onAri);
  // Asterisk forgets pushed endpoints when it restarts and keeps no events for a disconnected
  // app: after every (re)connection, push agents again and re-read registrations, retrying until done.
  const syncOnce = async () => {
    await agents.syncWithAsterisk();
    if (config.TEST_AGENT_PASSWORD) {
      // The Quick start's agent serves every queue with every skill, so any call reaches it.
      const { config: rc } = await routing.active();
      await agents.save({
        agentId: config.TEST_AGENT_ID, name: `测试坐席 ${config.TEST_AGENT_ID}`, password: config.TEST_AGENT_PASSWORD,
        skills: Object.fromEntries(rc.skills.map((k) => [k.code, 5])),
        queues: rc.queues.map((q) => (q as { queue: string }).queue),
      });
      await agents.move(config.TEST_AGENT_ID, 'login', 'boot');
    }
    kick();
  };
  stream.on('connected', () => {
    // Registrations arrive as device states; ApplicationReplaced is the stream's own concern.
    void retry(async () => {
      const app = await ari.allowEvents([...CALL_EVENTS, 'DeviceStateChanged', 'ApplicationReplaced']);
      log.info({ allowed: app.events_allowed?.map((e) => e.type) }, 'ARI events filtered');
    }, () => stream.connected, log, 'ARI event filter');
    void retry(async () => calls.reconcile(await ari.listChannels()), () => stream.connected, log, 'reconcile calls');
    syncing = retry(syncOnce, () => stream.connected && !shuttingDown, log, 'sync with Asterisk');
  });
  await calls.restore();
  stream.start();
  await stream.waitConnected(10_000);
  dispatcher.start();

  // On a thread of their own: building a day's figures is JavaScript over its raw rows, and no
  // call would be routed meanwhile (features/reports/in-worker.ts).
  const reports = new ReportsInWorker({
    databaseUrl: config.DATABASE_URL, poolSize: 4, tz: config.TZ_NAME, shortAbandonS: config.SHORT_ABANDON_S, logLevel: config.LOG_LEVEL, log,
  });
  // Every scrape and every wallboard each second would rebuild today from its calls: one read
  // serves all for LIVE_TODAY_EVERY_S.
  const todayFigures = new SharedRead(() => {
    const day = localDay(Date.now(), config.TZ_NAME);
    return reports.queues({ from: day, to: day });
  }, config.LIVE_TODAY_EVERY_S * 1000, () => Date.now());
  const auth = new AuthService({
    repo: new PgAccountRepo(pool),
    limiter: new LoginLimiter(redis, keys.loginFailures, {
      perUser: config.LOGIN_MAX_FAILURES, perIp: config.LOGIN_MAX_FAILURES * 4, windowMs: config.LOGIN_WINDOW_MIN * 60_000,
    }),
    bootstrapToken: config.ADMIN_TOKEN,
    sessionTtlMs: config.SESSION_TTL_H * 3_600_000,
    now: () => Date.now(),
    log,
  });
  const audit = new AuditService(new PgAuditRepo(pool));
  const http = await buildHttp({
    log,
    auth: { authenticate: (token) => auth.authenticate(token), appendAudit: (e) => audit.append(e) },
    api: [accountRoutes({ auth, agentExists: async (id) => (await agents.get(id))?.active === true }), auditRoutes({ audit }), ivrRoutes({ catalog: ivr, repo: ivrRepo }), routingRoutes({ catalog: routing, repo: routingRepo }), callbackRoutes({ callbacks: new CallbackQueries(callbackRepo) }), agentRoutes({ agents }), liveRoutes({
        process: opts.processMetrics,
        snapshot: async () => {
          const now = Date.now();
          const [snap, today] = await Promise.all([liveSnapshot(live, await mirror.agents(), now), todayFigures.get()]);
          return { ...snap, today: today.rows };
        },
      }),
      simulateRoutes({ ivr, routing, routingRepo, live }), reportRoutes({ reports })],
    probes: [
      {
        name: 'asterisk',
        check: () =>
          !stream.connected ? Promise.reject(new Error('ARI event stream not connected'))
          : stream.replaced ? Promise.reject(new Error(`another connection took over the Stasis app "${config.ARI_APP}"`))
          : ari.info(),
      },
      { name: 'postgres', check: () => pool.query('SELECT 1') },
      { name: 'redis', check: () => redis.ping() },
    ],
  });
  const url = await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down');
      shuttingDown = true;
      dispatcher?.stop();
      clearInterval(housekeeping);
      clearInterval(repairs);
      clearInterval(liveChecks);
      await callbacks.stop();
      bullConnection.disconnect();
      outcomes.stop();
      // A client that never lets go of its socket (a half-done WebSocket upgrade) must not hold up shutdown.
      await Promise.race([http.close(), new Promise((r) => setTimeout(r, 3000).unref())]);
      await reports.close();
      // Phones are unfollowed once the sync can no longer follow them again; channels stay
      // subscribed, so the next start picks up the calls still in our app.
      await syncing;
      if (stream.connected) await agents.unfollowPhones().catch((err: Error) => log.warn({ err: err.message }, 'device-state subscriptions not dropped'));
      await stream.stop();
      await calls.idle();
      if (!(await publisher.drain(5000))) log.warn({ pending: publisher.pending() }, 'events not yet stored at shutdown: kept in the outbox for the next start');
      publisher.close();
      await seeding;
      await closeAll();
    })());

  return { config, url, calls, agents, ivr, live, stuck, ari, publisher, stop };
}

async function retry(task: () => Promise<void>, stillWanted: () => boolean, log: Logger, what: string): Promise<void> {
  for (let delay = 250; stillWanted(); delay = Math.min(delay * 2, 10_000)) {
    try {
      await task();
      return;
    } catch (err) {
      log.warn({ err: (err as Error).message, retryInMs: delay }, `${what} failed`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/]+):[^@]+@/, '//$1:***@');
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.LOG_LEVEL, base: { service: 'tax12366' } });
  let svc: Service;
  try {
    svc = await startService(config, log, { processMetrics: processMetrics() });
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'startup failed');
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  log.info({ http: svc.url, app: config.ARI_APP }, 'tax12366 ready');
  // A signal can arrive twice (tsx relays it to node, which its process group also got): a second
  // one must not end the process by default while the first is still draining it.
  let stopping: Promise<void> | undefined;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopping ??= svc.stop().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
