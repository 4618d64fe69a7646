import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { requireEnv } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';
import { freeTcpPort, killHard, spawnService, type ServiceProcess } from '../support/process.js';
import { oneAgentOnOther } from '../support/one-agent.js';
import { deactivateTestAgents } from '../support/test-agents.js';

/**
 * Redis away for a few seconds and back with its data (an append-only file, as docker-compose
 * runs it): a private server, stopped and started again, so the live state survives and only
 * what was written while it was away is missing.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'tax12366-redis-'));
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
let port: number;
let redis: ChildProcess | undefined;
let svc: ServiceProcess | undefined;

const startRedis = () =>
  spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], {
    stdio: 'ignore',
  });
const redisUp = () => {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG';
  } catch {
    return false;
  }
};

afterAll(async () => {
  if (svc) await killHard(svc);
  redis?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await pool.end();
});

describe('Redis away for a moment, back with its data', () => {
  it('a caller who asked for a person while it was away is queued once it is back, and reaches the agent', async () => {
    port = await freeTcpPort();
    redis = startRedis();
    await waitFor('private Redis', async () => redisUp());
    // Agents other files left active are not this test's concern (see redis-loss.test.ts).
    await deactivateTestAgents();
    svc = await spawnService({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: 't12away',
      INSTANCE_ID: 'away-test',
      LIVE_STATE_CHECK_S: '1',
      OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-')),
    });
    const { agentId, phone } = await oneAgentOnOther(svc.url, pool, { name: '断线测试', phoneCalls: 1, timeoutS: 90 });

    // SIGTERM: Redis writes its append-only file out and stops.
    redis.kill('SIGTERM');
    await waitFor('Redis stopped', async () => !redisUp());
    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 10_000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 10_000 }) },
      timeoutS: 90,
    });
    const row = async () => (await pool.query('SELECT outcome, agent_id, entered_queue_at FROM calls WHERE caller = $1', [caller])).rows[0];
    // History reaches Postgres without Redis: the caller asked for a person and is waiting.
    await waitFor('caller in the queue, as far as history knows', async () => (await row())?.entered_queue_at, 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    redis = startRedis();
    await waitFor('Redis back', async () => redisUp());

    const res = await run.done;
    expect(res.code, `${res.errors || res.output.slice(-1500)}\nthe service said:\n${svc.output().slice(-3000)}`).toBe(0);
    await waitFor('call recorded', async () => (await row())?.outcome, 20_000);
    expect(await row()).toMatchObject({ outcome: 'answered', agent_id: agentId });
    // Redis kept its data: this was not a loss, so nothing else was put back.
    expect(svc.output()).not.toContain('Redis lost the live state');
    expect(svc.output()).toContain('callers whose enqueue had failed put in their queues');
    phone.kill();
  }, 120_000);
});
