import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { freePorts, requireEnv } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { freshAgentId, randomPassword, uniqueCaller, waitFor } from '../support/service.js';
import { instanceEnv, killHard, spawnService, stopGracefully, type ServiceProcess } from '../support/process.js';
import { unlinkPrefix } from '../support/redis.js';
import { adminCall, oneAgentOnOther } from '../support/one-agent.js';

// Two instances on one Redis, Postgres and Asterisk, each with its own Stasis app (docs/scale.md).
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const instances = ['ca', 'cb'] as const;
const envOf = (id: string, redisPrefix = prefix) => instanceEnv(redisPrefix, id);
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
const svcs = new Map<string, ServiceProcess>();
const phones: SippRun[] = [];

const logs: string[] = [];
const prefix2 = `t12test:${randomBytes(4).toString('hex')}`;
afterAll(async () => {
  await unlinkPrefix(redis, prefix2);
  for (const [id, s] of svcs) logs.push(`----- ${id} -----\n${s.output()}`);
  if (process.env.CLUSTER_TEST_LOG) (await import('node:fs')).writeFileSync(process.env.CLUSTER_TEST_LOG, logs.join('\n'));
  for (const p of phones) p.kill();
  for (const s of svcs.values()) await stopGracefully(s).catch(() => killHard(s));
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

const rowsFor = async (callers: string[]) =>
  (
    await pool.query(
      'SELECT caller, call_id, outcome, agent_id, hung_up_by, entered_queue_at, ended_at FROM calls WHERE caller = ANY($1)',
      [callers],
    )
  ).rows;
const eventAt = async (caller: string, type: string) => {
  const r = await pool.query(
    'SELECT e.at FROM events e JOIN calls c USING (call_id) WHERE c.caller = $1 AND e.type = $2 ORDER BY e.at LIMIT 1',
    [caller, type],
  );
  return r.rows[0] ? Date.parse(r.rows[0].at) : undefined;
};
const ownerOf = async (callId: string) => {
  for (const i of instances) if (await redis.sismember(`${prefix}:sessions:${i}`, callId)) return i;
  return undefined;
};

/** A second (third) agent on queue "other", its SIPp phone answering after 200 ms. */
async function anotherAgent(url: string, name: string): Promise<string> {
  const agentId = await freshAgentId({ pool });
  const password = randomPassword();
  await adminCall(url, 'PUT', `/api/agents/${agentId}`, { name, password, skills: {}, queues: ['other'] });
  const port = freePorts().sip;
  phones.push(sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: 10, timeoutS: 150 }));
  await registerAgent(agentId, password, port);
  await adminCall(url, 'POST', `/api/agents/${agentId}/login`);
  return agentId;
}

/** A taxpayer who presses 0 (a person) at once and hangs up `talkMs` after the dialplan answered (waiting included). */
function place(talkMs: number) {
  const caller = uniqueCaller();
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses('0', 400), { audioMs: talkMs }) },
    timeoutS: 150,
  });
  return { caller, run };
}

describe('two service instances', () => {
  it('share new calls; kill -9 of one: the other takes its waiting and bridged calls over, in order, within 5 s', async () => {
    for (const i of instances) svcs.set(i, await spawnService(envOf(i)));
    const a = svcs.get('ca')!.url;
    const { agentId: first, phone } = await oneAgentOnOther(a, pool, { name: '集群一', phoneCalls: 10, timeoutS: 150 });
    phones.push(phone);
    const second = await anotherAgent(a, '集群二');
    // The third agent is paused: callers wait until it is made available at the kill.
    const third = await anotherAgent(a, '集群三');
    await adminCall(a, 'POST', `/api/agents/${third}/pause`, { reason: 'training' });

    // Two long calls, one per instance (the dialplan's round robin), both bridged.
    const talking = [place(25_000)];
    await new Promise((r) => setTimeout(r, 800));
    talking.push(place(25_000));
    await waitFor(
      'both long calls answered',
      async () => (await Promise.all(talking.map((t) => eventAt(t.caller, 'call.agent_answered')))).every(Boolean),
      30_000,
    );
    // Four callers waiting, in this order; each stays long enough to wait for an agent and talk.
    const waiting: Array<ReturnType<typeof place>> = [];
    for (let n = 0; n < 4; n++) {
      waiting.push(place(40_000 + n * 4_000));
      await waitFor('caller queued', async () => (await rowsFor([waiting[n]!.caller]))[0]?.entered_queue_at, 20_000);
    }
    const all = [...talking, ...waiting];
    const rows = await rowsFor(all.map((c) => c.caller));
    const owner = new Map<string, string | undefined>();
    for (const r of rows) owner.set(r.caller, await ownerOf(r.call_id));
    // Spread: each instance holds some of the calls.
    for (const i of instances) expect([...owner.values()].filter((o) => o === i).length, `calls on ${i}`).toBeGreaterThan(0);

    // The victim: the instance holding the first waiting caller; it holds one of the bridged calls too.
    const victim = owner.get(waiting[0]!.caller)!;
    const survivor = instances.find((i) => i !== victim)!;
    expect(
      talking.some((t) => owner.get(t.caller) === victim),
      JSON.stringify(all.map((c) => owner.get(c.caller))),
    ).toBe(true);
    const survivorUrl = svcs.get(survivor)!.url;

    const killedAt = Date.now();
    await killHard(svcs.get(victim)!);
    logs.push(`----- ${victim} (killed) -----\n${svcs.get(victim)!.output()}`);
    svcs.delete(victim);
    await adminCall(survivorUrl, 'POST', `/api/agents/${third}/unpause`);

    const offered = await waitFor('first waiting caller offered', () => eventAt(waiting[0]!.caller, 'call.agent_offered'), 20_000);
    const takeoverMs = offered - killedAt;
    console.log(`takeover: kill -9 -> first waiting caller of the dead instance offered by the survivor: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(5000);

    const results = await Promise.all(all.map((c) => c.run.done));
    for (const res of results) expect(res.code, res.errors || res.output.slice(-1500)).toBe(0);
    await waitFor('every call recorded', async () => (await rowsFor(all.map((c) => c.caller))).every((x) => x.ended_at), 30_000);
    const done = await rowsFor(all.map((c) => c.caller));
    for (const c of all) {
      expect(done.find((x) => x.caller === c.caller)).toMatchObject({ outcome: 'answered', hung_up_by: 'caller' });
      expect([first, second, third]).toContain(done.find((x) => x.caller === c.caller)!.agent_id);
    }
    // Waiting callers were offered in the order they entered the queue, across both instances.
    const offers = await Promise.all(waiting.map((w) => eventAt(w.caller, 'call.agent_offered')));
    expect(
      offers.every((t, n) => n === 0 || t! >= offers[n - 1]!),
      JSON.stringify(offers),
    ).toBe(true);

    // The cluster view: the survivor alone, the dead instance forgotten once taken over.
    const view = await adminCall(survivorUrl, 'GET', '/api/cluster');
    expect(view.instances.map((x: { instance: string }) => x.instance)).toEqual([survivor]);
    expect(view.instances[0]).toMatchObject({ alive: true, app: `tax12366-t${survivor}` });
    // One cluster per Asterisk: the instances write its list of live apps (the next test starts its own).
    logs.push(`----- ${survivor} -----\n${svcs.get(survivor)!.output()}`);
    await stopGracefully(svcs.get(survivor)!);
    svcs.delete(survivor);
  }, 240_000);
});

/** A channel variable as ARI reads it ('' if unset or the channel is gone). */
async function channelVar(channelId: string, variable: string): Promise<string> {
  const auth = Buffer.from(`${requireEnv('ARI_USER')}:${requireEnv('ARI_PASSWORD')}`).toString('base64');
  const r = await fetch(`${requireEnv('ARI_URL')}/ari/channels/${channelId}/variable?variable=${variable}`, {
    headers: { authorization: `Basic ${auth}` },
  });
  return r.ok ? ((await r.json()) as { value: string }).value : '';
}

/** The channels ARI says a Stasis app is subscribed to. */
async function appChannels(app: string): Promise<string[]> {
  const auth = Buffer.from(`${requireEnv('ARI_USER')}:${requireEnv('ARI_PASSWORD')}`).toString('base64');
  const r = await fetch(`${requireEnv('ARI_URL')}/ari/applications/${app}`, { headers: { authorization: `Basic ${auth}` } });
  return r.ok ? ((await r.json()) as { channel_ids: string[] }).channel_ids : [];
}

describe('two service instances, a callback ringing at the kill', () => {
  it('is answered and connected through the survivor, and not rung a second time', async () => {
    const ids = ['cc', 'cd'] as const;
    for (const i of ids) svcs.set(i, await spawnService(envOf(i, prefix2)));
    const c = svcs.get('cc')!.url;
    const { agentId, phone } = await oneAgentOnOther(c, pool, { name: '集群回拨', phoneCalls: 5, timeoutS: 150 });
    phones.push(phone);
    await adminCall(c, 'POST', `/api/agents/${agentId}/pause`, { reason: 'training' });
    // The taxpayer's phone behind the carrier rings 6 s before answering: the kill falls in the ring.
    const carrier = sipp({
      scenario: 'taxpayer-answers-callback-late.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { ring_ms: 6000, talk_ms: 3000 },
      calls: 1,
      timeoutS: 150,
    });
    phones.push(carrier);
    const caller = uniqueCaller();
    const asked = sipp({
      scenario: 'caller-dtmf-waits-for-hangup.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      files: { pcap: dtmfPcap(presses('0', 400).concat(presses('1', 2500)), { audioMs: 4000 }) },
      timeoutS: 60,
    });
    expect((await asked.done).code).toBe(0);
    const requestId = await waitFor(
      'the callback request',
      async () =>
        (await pool.query("SELECT call_id FROM calls WHERE caller = $1 AND outcome = 'callback_requested'", [caller])).rows[0]
          ?.call_id as string,
      20_000,
    );

    // An agent is free: the kept place is dialled by one instance; kill it while the taxpayer's phone rings.
    await adminCall(c, 'POST', `/api/agents/${agentId}/unpause`);
    const ringing = await waitFor(
      'the callback ringing',
      async () => {
        for (const i of ids) if ((await appChannels(`tax12366-t${i}`)).length) return i;
        return undefined;
      },
      20_000,
      50,
    );
    await killHard(svcs.get(ringing)!);
    logs.push(`----- ${ringing} (killed while ringing) -----\n${svcs.get(ringing)!.output()}`);
    svcs.delete(ringing);

    const carried = await carrier.done;
    expect(carried.code, carried.errors || carried.output.slice(-1500)).toBe(0);
    const back = await waitFor(
      'the callback call recorded',
      async () =>
        (await pool.query("SELECT * FROM calls WHERE caller = $1 AND dialed = 'callback' AND outcome IS NOT NULL", [caller])).rows[0],
      30_000,
    );
    expect(back).toMatchObject({ outcome: 'answered', agent_id: agentId, callback_for: requestId });

    // BullMQ hands the dead instance's job on once its lock lapses (~30 s): that run must not dial.
    const bull = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
    const q = new Queue('callbacks', { connection: bull, prefix: `${prefix2}:bull` });
    try {
      await waitFor(
        'the callback job settled',
        async () => {
          const n = await q.getJobCounts('active', 'wait', 'delayed', 'completed');
          return n.active === 0 && n.wait === 0 && n.delayed === 0 && (n.completed ?? 0) >= 1;
        },
        90_000,
        500,
      );
    } finally {
      await q.close();
      bull.disconnect();
    }
    const attempts = (await pool.query("SELECT body FROM events WHERE call_id = $1 AND type = 'callback.attempted'", [requestId])).rows.map(
      (r) => r.body,
    );
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, result: 'answered', caller })]);
  }, 240_000);
});

const prefix3 = `t12test:${randomBytes(4).toString('hex')}`;
afterAll(() => unlinkPrefix(redis, prefix3));

describe('two service instances, a caller in the welcome at the takeover', () => {
  it("the survivor hears the caller's channel at once; their hang-up is recorded though the stopped instance took its app back, which starts no second call", async () => {
    const ids = ['ce', 'cf'] as const;
    for (const i of ids) svcs.set(i, await spawnService(envOf(i, prefix3)));
    // A taxpayer who presses nothing: the welcome plays when their instance stops (5.7 s, then the 13 s menu, in the default IVR).
    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 15_000 },
      files: { pcap: dtmfPcap([], { audioMs: 15_000 }) },
      timeoutS: 60,
    });
    const started = await waitFor(
      'the call started',
      async () =>
        (
          await pool.query(
            "SELECT e.at, e.body FROM events e JOIN calls c USING (call_id) WHERE c.caller = $1 AND e.type = 'call.started'",
            [caller],
          )
        ).rows[0] as { at: string; body: { callId: string; channelId: string } } | undefined,
      20_000,
      50,
    );
    const owner = await waitFor(
      'the call held by an instance',
      async () => {
        for (const i of ids) if (await redis.sismember(`${prefix3}:sessions:${i}`, started.body.callId)) return i;
        return undefined;
      },
      5000,
      20,
    );
    const survivor = ids.find((i) => i !== owner)!;
    const stoppedAt = Date.now();
    await stopGracefully(svcs.get(owner)!);
    logs.push(`----- ${owner} (stopped in the welcome) -----\n${svcs.get(owner)!.output()}`);
    // Asterisk runs a channel's commands in turn and changes its app only once none is left: the
    // survivor's move waits behind the welcome the stopped instance started and the menu the resumed
    // call asks, and the channel's events (its hang-up) go meanwhile to the stopped instance's app.
    // The survivor's app hears the channel at once, by a subscription of its own.
    await waitFor(
      "the caller's channel heard by the survivor's app",
      async () => (await appChannels(`tax12366-t${survivor}`)).includes(started.body.channelId),
      4000,
      20,
    );
    const heardMs = Date.now() - stoppedAt;
    // The welcome is stopped before the move and the menu asked once the move landed, so the move
    // is not queued behind either: the mark set after it (calls/held-elsewhere.ts) is there at once.
    await waitFor(
      'the move landed',
      async () => (await channelVar(started.body.channelId, 'TAX12366_MOVED_TO')) === `tax12366-t${survivor}`,
      3000,
      20,
    );
    console.log(
      `caller in the welcome: heard by the survivor ${heardMs} ms, moved ${Date.now() - stoppedAt} ms after their instance was told to stop`,
    );
    // The stopped instance comes back under its app while the caller is still on the line: before
    // the subscription, the caller's hang-up went to it and the call was never recorded as ended.
    svcs.set(owner, await spawnService(envOf(owner, prefix3)));
    const res = await run.done;
    expect(res.code, res.errors || res.output.slice(-1500)).toBe(0);
    const row = await waitFor(
      'the call recorded as ended',
      async () =>
        (await pool.query('SELECT outcome, hung_up_by, ended_at FROM calls WHERE caller = $1', [caller])).rows.find((r) => r.ended_at),
      20_000,
    );
    expect(row).toMatchObject({ hung_up_by: 'caller' });
    // The restarted instance found the channel in its app with no call of its own: held by the survivor, not a stray to start.
    expect((await pool.query('SELECT call_id FROM calls WHERE caller = $1', [caller])).rows).toHaveLength(1);
    for (const i of ids) {
      logs.push(`----- ${i} -----\n${svcs.get(i)!.output()}`);
      await stopGracefully(svcs.get(i)!);
      svcs.delete(i);
    }
  }, 120_000);
});
