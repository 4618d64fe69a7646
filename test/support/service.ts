import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { startService, type Service } from '../../src/main.js';
import { requireEnv } from './rig.js';
import { resetToShipped } from './ivr.js';
import { noteTestAgent } from './test-agents.js';
import { unlinkPrefix } from './redis.js';
import { processMetrics } from '../../src/features/live/routes.js';

/** One per test process, as the service makes one per process: its collectors cannot be stopped. */
let sharedProcessMetrics: ReturnType<typeof processMetrics> | undefined;

export interface TestRig {
  svc: Service;
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  stop: () => Promise<void>;
}

/** A real service instance in this process, against the real rig, with its own Redis prefix. */
export async function startTestService(env: Record<string, string> = {}): Promise<TestRig> {
  requireEnv('ARI_PASSWORD');
  const prefix = `t12test:${randomBytes(4).toString('hex')}`;
  const outbox = env.OUTBOX_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-'));
  const config = loadConfig({
    ...process.env,
    REDIS_PREFIX: prefix,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    TEST_AGENT_PASSWORD: '',
    // The shared rig's database holds admin accounts from earlier runs; the tests still drive it
    // with ADMIN_TOKEN (test/e2e/hostile-api.test.ts checks the default, where it is refused).
    ADMIN_TOKEN_ALWAYS: 'true',
    // No SIP guard unless a test asks (test/e2e/hostile-sip.test.ts): each start would rewrite Asterisk's block list.
    AMI_USER: '',
    OUTBOX_DIR: outbox,
    ...env,
  });
  const svc = await startService(config, pino({ level: config.LOG_LEVEL }), {
    processMetrics: (sharedProcessMetrics ??= processMetrics()),
  });
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
  const redis = new Redis(config.REDIS_URL);
  redis.on('error', () => undefined); // outages are part of some tests; the assertions say what matters
  await resetToShipped(async (method, url, body) => {
    const r = await fetch(`${svc.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${config.ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined };
  });
  return {
    svc,
    pool,
    redis,
    prefix,
    stop: async () => {
      await svc.stop();
      await unlinkPrefix(redis, prefix);
      redis.disconnect();
      await pool.end();
      if (!env.OUTBOX_DIR) rmSync(outbox, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A caller number no other test uses, in Hangzhou's 0571 area. */
export function uniqueCaller(prefix = '0571'): string {
  return prefix + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
}

export function randomPassword(): string {
  return randomBytes(12).toString('hex');
}

/**
 * A mobile number (so a callback may dial it) that no call in the database came from. The database
 * outlives a run, and a test that finds "the call from this number" must not find an earlier run's.
 */
export async function freshMobile(rig: Pick<TestRig, 'pool'>, prefix = '139'): Promise<string> {
  for (;;) {
    const n = prefix + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
    if (!(await rig.pool.query('SELECT 1 FROM calls WHERE caller = $1 LIMIT 1', [n])).rowCount) return n;
  }
}

/** A six-digit agent id no earlier run has used (agents persist in Postgres, deactivated rather than deleted). */
export async function freshAgentId(rig: Pick<TestRig, 'pool'>): Promise<string> {
  for (;;) {
    const id = String(100000 + Math.floor(Math.random() * 900000));
    if ((await rig.pool.query('SELECT 1 FROM agents WHERE agent_id = $1', [id])).rowCount) continue;
    noteTestAgent(id);
    return id;
  }
}

/** A request to the rig's API with any bearer token (or none); the body as JSON when the answer is JSON. */
export async function callAs(rig: TestRig, token: string | undefined, method: string, url: string, body?: unknown) {
  const r = await fetch(`${rig.svc.url}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json = (r.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
  return { status: r.status, body: json, headers: r.headers };
}
