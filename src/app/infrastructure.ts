import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Ctx } from '../core/events.js';
import { uuidv7 } from '../shared/uuidv7.js';
import { redact } from '../shared/redact.js';
import { AriHttp } from '../adapters/ari/http.js';
import { AriClient } from '../adapters/ari/client.js';
import { AriEventStream } from '../adapters/ari/events.js';
import { migrate } from '../adapters/postgres/migrate.js';
import { redisKeys, type RedisKeys } from '../adapters/redis/keys.js';
import { AgentLiveStore } from '../features/agents/agent-live-store.js';
import { QueueStore } from '../features/routing/queue-store.js';
import { CallerMemory } from '../features/routing/caller-memory.js';
import { SessionStore } from '../features/calls/session-store.js';
import { LiveEpoch } from '../features/live/epoch.js';
import { Leases } from '../features/cluster/lease.js';
import type { AriEvent } from '../adapters/ari/types.js';
import type { HealthProbe } from '../http/health.js';
import { AriRouter } from './ari-router.js';

/** Thrown when a dependency cannot be reached at boot; names each one. */
export class DependencyError extends Error {
  constructor(readonly failures: Record<string, string>) {
    super(
      `cannot start: ${Object.entries(failures)
        .map(([k, v]) => `${k} unreachable (${v})`)
        .join('; ')}`,
    );
    this.name = 'DependencyError';
  }
}

export interface LiveStores {
  agents: AgentLiveStore;
  queues: QueueStore;
  sessions: SessionStore;
  callers: CallerMemory;
  epoch: LiveEpoch;
}

/** The connections every feature shares, and what the root needs of them. */
export interface Infrastructure {
  config: Config;
  log: Logger;
  /** The repository's root: migrations, shipped configurations, prompts. */
  root: string;
  pool: pg.Pool;
  /** The routing connection: calls' claims and agents' moves. */
  redis: Redis;
  /** Bulk traffic (event batches, the every-agent read) on a socket of its own, so a call's claim never waits behind it. */
  bulkRedis: Redis;
  keys: RedisKeys;
  /** The shared live state in Redis, one store per kind (each in the folder of the feature that owns it). */
  live: LiveStores;
  ari: AriClient;
  /** ARI's event stream; features read its events through `ariRouter` (started by features/agents/asterisk-sync.ts). */
  ariEvents: AriEventStream;
  ariRouter: AriRouter;
  /** An event stream on another Stasis app (a dead instance's, features/cluster/takeover.ts). */
  ariStreamFor: (app: string, onEvent: (ev: AriEvent) => void) => AriEventStream;
  /** Singleton jobs' leases in Redis (features/cluster/lease.ts). */
  leases: Leases;
  ctx: () => Ctx;
  /** GET /healthz: each dependency checked separately. */
  probes: HealthProbe[];
  /** Last at shutdown: every connection closed. */
  stop: () => Promise<void>;
}

/**
 * Opens Postgres, Redis and ARI, checks each is reachable (DependencyError names those that are
 * not, after closing the others) and brings the schema up to date.
 */
export async function connectInfrastructure(config: Config, log: Logger, root: string): Promise<Infrastructure> {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10, connectionTimeoutMillis: 3000 });
  pool.on('error', (err) => log.warn({ err: err.message }, 'postgres pool error'));
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis error'));
  const bulkRedis = redis.duplicate();
  bulkRedis.on('error', (err) => log.debug({ err: err.message }, 'redis (bulk) error'));
  const ariHttp = new AriHttp({
    url: config.ARI_URL,
    user: config.ARI_USER,
    password: config.ARI_PASSWORD,
    maxSockets: config.ARI_MAX_SOCKETS,
  });
  const ari = new AriClient(ariHttp, config.ARI_APP);

  const stop = async () => {
    ariHttp.close();
    redis.disconnect();
    bulkRedis.disconnect();
    await pool.end().catch(() => undefined);
  };

  const failures: Record<string, string> = {};
  await Promise.all([
    pool.query('SELECT 1').catch((e: Error) => (failures.postgres = `${redact(config.DATABASE_URL)}: ${e.message}`)),
    Promise.all([redis.connect(), bulkRedis.connect()])
      .then(() => redis.ping())
      .catch((e: Error) => (failures.redis = `${redact(config.REDIS_URL)}: ${e.message}`)),
    ari.info().catch((e: Error) => (failures.asterisk = `${redact(config.ARI_URL)}: ${e.message}`)),
  ]);
  if (Object.keys(failures).length) {
    await stop();
    throw new DependencyError(failures);
  }

  await migrate(pool, path.join(root, 'migrations'), log);
  const keys = redisKeys(config.REDIS_PREFIX);
  const ariRouter = new AriRouter();
  const ariEvents = new AriEventStream(
    { url: config.ARI_URL, user: config.ARI_USER, password: config.ARI_PASSWORD, app: config.ARI_APP, log },
    ariRouter.route,
  );
  return {
    config,
    log,
    root,
    pool,
    redis,
    bulkRedis,
    keys,
    ari,
    ariEvents,
    ariRouter,
    ariStreamFor: (app, onEvent) =>
      new AriEventStream({ url: config.ARI_URL, user: config.ARI_USER, password: config.ARI_PASSWORD, app, log }, onEvent),
    leases: new Leases(redis, keys, config.INSTANCE_ID),
    stop,
    live: {
      agents: new AgentLiveStore(redis, keys, bulkRedis),
      queues: new QueueStore(redis, keys),
      sessions: new SessionStore(redis, keys),
      callers: new CallerMemory(redis, keys, bulkRedis),
      epoch: new LiveEpoch(redis, keys),
    },
    ctx: () => ({ now: Date.now(), newId: () => uuidv7() }),
    probes: [
      {
        name: 'asterisk',
        check: () =>
          !ariEvents.connected
            ? Promise.reject(new Error('ARI event stream not connected'))
            : ariEvents.replaced
              ? Promise.reject(new Error(`another connection took over the Stasis app "${config.ARI_APP}"`))
              : ari.info(),
      },
      { name: 'postgres', check: () => pool.query('SELECT 1') },
      { name: 'redis', check: () => redis.ping() },
    ],
  };
}
