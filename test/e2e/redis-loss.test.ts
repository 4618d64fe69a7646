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
  REDIS_PREFIX: prefix,
  INSTANCE_ID: 'redis-loss-test',
  LIVE_STATE_CHECK_S: '1',
  // Long enough for the test to lose Redis between a callback's first attempt and its retry.
  CALLBACK_RETRY_S: '8',
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

/** One agent on the queue "other", paused; a taxpayer who asked for a person there kept their place for a callback and hung up. */
async function placeKeptWhileAgentPaused(agentName: string) {
  const { agentId, phone } = await oneAgentOnOther(svc!.url, pool, { name: agentName, phoneCalls: 1, timeoutS: 90 });
  await adminCall(svc!.url, 'POST', `/api/agents/${agentId}/pause`, { reason: 'training' });
  // Presses 0 (a person), then 1 in the queue: keep my place and call me back; then hangs up.
  const caller = uniqueCaller();
  const asked = await sipp({
    scenario: 'caller-dtmf-waits-for-hangup.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    files: { pcap: dtmfPcap(presses('0', 400).concat(presses('1', 2500)), { audioMs: 4000 }) },
    timeoutS: 60,
  }).done;
  expect(asked.code, `${asked.errors || asked.output.slice(-1000)}\nthe service said:\n${svc!.output().slice(-5000)}`).toBe(0);
  const request = async () =>
    (await pool.query('SELECT call_id, outcome FROM calls WHERE caller = $1 AND dialed = $2', [caller, '12366'])).rows[0];
  await waitFor('callback requested', async () => (await request())?.outcome === 'callback_requested');
  return { agentId, phone, caller, requestId: (await request()).call_id as string };
}

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
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 10_000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 10_000 }) },
      timeoutS: 90,
    });
    const row = async () =>
      (await pool.query('SELECT call_id, outcome, agent_id, entered_queue_at FROM calls WHERE caller = $1', [caller])).rows[0];
    await waitFor('caller waiting', async () => (await row())?.entered_queue_at);
    const { call_id: callId, entered_queue_at: enteredAt } = await row();
    // Everything this service keeps in Redis, gone, as after a restart without persistence.
    await unlinkPrefix(redis, prefix);

    // Within a check or two the caller is back in the queue and the agent paused as before, with
    // the same reason and since; still registered. The queue never looked unstaffed, so the
    // caller was not turned away.
    await waitFor('caller queued again', async () => await redis.hexists(`${prefix}:waiting`, callId), 10_000).catch((err: Error) =>
      Promise.reject(new Error(`${err.message}; the service said:\n${svc!.output().slice(-4000)}`)),
    );
    await waitFor('registration read back', async () => (await adminCall(svc!.url, 'GET', `/api/agents/${agentId}`)).registered, 10_000);
    expect(await adminCall(svc.url, 'GET', `/api/agents/${agentId}`)).toMatchObject({
      state: 'paused',
      pauseReason: 'training',
      since: before.since,
      registered: true,
    });
    expect((await row()).outcome).toBeNull();

    await adminCall(svc.url, 'POST', `/api/agents/${agentId}/unpause`);
    const res = await run.done;
    expect(res.code, res.errors || res.output.slice(-1500)).toBe(0);
    await waitFor('call recorded', async () => (await row())?.outcome, 20_000);
    expect(await row()).toMatchObject({ outcome: 'answered', agent_id: agentId });
    // Its wait is counted from when it first entered the queue.
    expect(((await row()).entered_queue_at as Date).getTime()).toBe((enteredAt as Date).getTime());
    await waitFor(
      'agent free again',
      async () => (await adminCall(svc!.url, 'GET', `/api/agents/${agentId}`)).state === 'available',
      10_000,
    );
    await adminCall(svc.url, 'POST', `/api/agents/${agentId}/logout`);
    phone.kill();
  }, 120_000);

  it('a place kept for a callback is put back from history, and the taxpayer is called back and connected', async () => {
    const { agentId, phone, caller, requestId } = await placeKeptWhileAgentPaused('回拨测试');
    expect(
      await redis.hexists(`${prefix}:waiting`, requestId),
      `waiting: ${JSON.stringify(await redis.hgetall(`${prefix}:waiting`))}; agent: ${JSON.stringify(await adminCall(svc!.url, 'GET', `/api/agents/${agentId}`))}; the service said:\n${svc!.output().slice(-5000)}`,
    ).toBe(1);

    await unlinkPrefix(redis, prefix);
    await waitFor('kept place put back', async () => await redis.hexists(`${prefix}:waiting`, requestId), 10_000).catch((err: Error) =>
      Promise.reject(new Error(`${err.message}; the service said:\n${svc!.output().slice(-4000)}`)),
    );
    expect(JSON.parse((await redis.hget(`${prefix}:waiting`, requestId))!)).toMatchObject({ kind: 'callback', queue: 'other', caller });

    // An agent becomes free: the kept place is dialled, the taxpayer answers and is connected.
    const carrier = sipp({
      scenario: 'taxpayer-answers-callback.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { talk_ms: 3000 },
      calls: 1,
      timeoutS: 60,
    });
    await adminCall(svc!.url, 'POST', `/api/agents/${agentId}/unpause`);
    const carried = await carrier.done;
    expect(carried.code, carried.errors || carried.output.slice(-1500)).toBe(0);
    const back = async () =>
      (await pool.query("SELECT outcome, agent_id, callback_for FROM calls WHERE caller = $1 AND dialed = 'callback'", [caller])).rows[0];
    await waitFor('callback call recorded', async () => (await back())?.outcome, 20_000).catch(async (err: Error) =>
      Promise.reject(
        new Error(
          `${err.message}; calls: ${JSON.stringify((await pool.query('SELECT call_id, dialed, outcome, agent_id, callback_for FROM calls WHERE caller = $1', [caller])).rows)}; the service said:\n${svc!.output().slice(-3000)}`,
        ),
      ),
    );
    expect(await back()).toMatchObject({ outcome: 'answered', agent_id: agentId, callback_for: requestId });
    await adminCall(svc!.url, 'POST', `/api/agents/${agentId}/logout`);
    phone.kill();
  }, 120_000);

  it('a callback whose first attempt found the line busy is tried again after the loss, and connects', async () => {
    const { agentId, phone, caller, requestId } = await placeKeptWhileAgentPaused('重拨测试');
    const attempts = async () =>
      (
        await pool.query(
          "SELECT body->>'attempt' AS attempt, body->>'result' AS result FROM events WHERE call_id = $1 AND type = 'callback.attempted' ORDER BY seq",
          [requestId],
        )
      ).rows;

    // An agent is free: the taxpayer is dialled, and is on another call.
    const busy = sipp({ scenario: 'taxpayer-busy.xml', server: true, ip: '127.0.0.2', sipPort: 5070, calls: 1, timeoutS: 60 });
    await adminCall(svc!.url, 'POST', `/api/agents/${agentId}/unpause`);
    const refused = await busy.done;
    expect(refused.code, refused.errors || refused.output.slice(-1500)).toBe(0);
    await waitFor('first attempt recorded', async () => (await attempts()).length === 1);
    // Its retry was a BullMQ job, in Redis: lost before it ran.
    await unlinkPrefix(redis, prefix);

    const carrier = sipp({
      scenario: 'taxpayer-answers-callback.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { talk_ms: 3000 },
      calls: 1,
      timeoutS: 60,
    });
    const carried = await carrier.done;
    expect(carried.code, `${carried.errors || carried.output.slice(-1500)}\nthe service said:\n${svc!.output().slice(-3000)}`).toBe(0);
    const back = async () =>
      (await pool.query("SELECT outcome, agent_id, callback_for FROM calls WHERE caller = $1 AND dialed = 'callback'", [caller])).rows[0];
    await waitFor('callback call recorded', async () => (await back())?.outcome, 20_000);
    expect(await back()).toMatchObject({ outcome: 'answered', agent_id: agentId, callback_for: requestId });
    // Numbered on from the lost job's attempts.
    expect(await attempts()).toEqual([
      { attempt: '1', result: 'busy' },
      { attempt: '2', result: 'answered' },
    ]);
    await adminCall(svc!.url, 'POST', `/api/agents/${agentId}/logout`);
    phone.kill();
  }, 120_000);
});
