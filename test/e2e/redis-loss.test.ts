import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { requireEnv } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';
import { killHard, spawnService, type ServiceProcess } from '../support/process.js';
import { unlinkPrefix } from '../support/redis.js';
import { adminCall, oneAgentOnOther } from '../support/one-agent.js';
import { deactivateTestAgents } from '../support/test-agents.js';

const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const env = {
  REDIS_PREFIX: prefix, INSTANCE_ID: 'redis-loss-test', LIVE_STATE_CHECK_S: '1',
  OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-')),
};
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
let svc: ServiceProcess | undefined;

afterAll(async () => {
  if (svc) await killHard(svc);
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('Redis loses the live state (restarted empty, flushed)', () => {
  it('a caller waiting then keeps their place and reaches an agent, whose state is restored from history', async () => {
    // Test files share one database but each has its own Redis prefix: agents earlier files left
    // active (available, their phones' registrations not yet expired) would be restored from their
    // history into this prefix, and routing would ring them. Files run one at a time, so theirs are done.
    await deactivateTestAgents();
    svc = await spawnService(env);
    const { agentId, phone } = await oneAgentOnOther(svc.url, pool, { name: '丢失测试', phoneCalls: 1, timeoutS: 90 });
    // Logged in but paused: the caller waits in the queue.
    await adminCall(svc.url, 'POST', `/api/agents/${agentId}/pause`, { reason: 'training' });
    const before = await adminCall(svc.url, 'GET', `/api/agents/${agentId}`);

    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml', ip: '127.0.0.2', keys: { caller, dialed: '12366' }, vars: { talk_ms: 10_000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 10_000 }) }, timeoutS: 90,
    });
    const row = async () => (await pool.query('SELECT call_id, outcome, agent_id, entered_queue_at FROM calls WHERE caller = $1', [caller])).rows[0];
    await waitFor('caller waiting', async () => (await row())?.entered_queue_at);
    const { call_id: callId, entered_queue_at: enteredAt } = await row();
    // Everything this service keeps in Redis, gone, as after a restart without persistence.
    await unlinkPrefix(redis, prefix);

    // Within a check or two the caller is back in the queue and the agent paused as before, with
    // the same reason and since; still registered. The queue never looked unstaffed, so the
    // caller was not turned away.
    await waitFor('caller queued again', async () => await redis.hexists(`${prefix}:waiting`, callId), 10_000)
      .catch((err: Error) => Promise.reject(new Error(`${err.message}; the service said:\n${svc!.output().slice(-4000)}`)));
    await waitFor('registration read back', async () => (await adminCall(svc!.url, 'GET', `/api/agents/${agentId}`)).registered, 10_000);
    expect(await adminCall(svc.url, 'GET', `/api/agents/${agentId}`)).toMatchObject({ state: 'paused', pauseReason: 'training', since: before.since, registered: true });
    expect((await row()).outcome).toBeNull();

    await adminCall(svc.url, 'POST', `/api/agents/${agentId}/unpause`);
    const res = await run.done;
    expect(res.code, res.errors || res.output.slice(-1500)).toBe(0);
    await waitFor('call recorded', async () => (await row())?.outcome, 20_000);
    expect(await row()).toMatchObject({ outcome: 'answered', agent_id: agentId });
    // Its wait is counted from when it first entered the queue.
    expect(((await row()).entered_queue_at as Date).getTime()).toBe((enteredAt as Date).getTime());
    phone.kill();
  }, 120_000);
});
