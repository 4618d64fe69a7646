import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { moreAgentsOnOther, oneAgentOnOther } from '../support/one-agent.js';
import { instanceEnv, killHard, spawnService, stopGracefully, type ServiceProcess } from '../support/process.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { sipp, type SippRun } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';

// Issue 24: a rolling restart of both service instances under 20 calls/s drops nothing. Each
// instance is stopped as an orchestrator stops it (SIGTERM: it drains, lets its lease go, and the
// other takes its calls over at once), started again, and then the other one is.
const RATE = 20;
const CALLS = 500;
// Enough that callers never wait for capacity (20/s x ~3.5 s per call with ring and wrap-up = 70): an abandon here would be the restarts'.
const AGENTS = 100;
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const envOf = (id: string) =>
  instanceEnv(prefix, id, {
    LOG_LEVEL: 'warn',
    // Every call here comes from one number: no "first to the agent who answered them last".
    PREFERRED_AGENT_WITHIN_H: '0',
  });
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
const svcs = new Map<string, ServiceProcess>();
const phones: SippRun[] = [];

afterAll(async () => {
  for (const p of phones) p.kill();
  for (const s of svcs.values()) await stopGracefully(s).catch(() => killHard(s));
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('rolling restart of both instances under load', () => {
  it(`${CALLS} calls at ${RATE}/s while each instance in turn is stopped and started: every call ends as its caller ended it`, async () => {
    for (const i of ['ra', 'rb']) svcs.set(i, await spawnService(envOf(i)));
    const a = svcs.get('ra')!.url;
    const { phone } = await oneAgentOnOther(a, pool, {
      name: '滚动重启',
      phoneCalls: CALLS,
      timeoutS: 240,
      other: { preferredAgentS: 0 },
    });
    phones.push(phone);
    // The others share one SIPp phone (one UAS answering every agent's calls).
    const more = await moreAgentsOnOther(a, pool, { count: AGENTS - 1, name: '滚动', phoneCalls: CALLS, timeoutS: 240 });
    phones.push(more.phone);

    const caller = uniqueCaller();
    const load = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 3000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 3000 }) },
      rate: RATE,
      calls: CALLS,
      // Far above what is open at once: the load stays open (calls are placed at the rate whatever happens).
      limit: CALLS,
      timeoutS: 240,
    });
    const t0 = Date.now();
    const restarts: string[] = [];
    /** What each stopped instance said, for a failure's message. */
    const stoppedLogs: string[] = [];
    for (const id of ['ra', 'rb']) {
      await new Promise((r) => setTimeout(r, 6000));
      const s = svcs.get(id)!;
      const at = Date.now();
      await stopGracefully(s);
      stoppedLogs.push(`${id} (stopped):\n${s.output().slice(-6000)}`);
      svcs.set(id, await spawnService(envOf(id)));
      restarts.push(`${id}: stopped at ${((at - t0) / 1000).toFixed(1)} s, serving again after ${((Date.now() - at) / 1000).toFixed(1)} s`);
    }
    const res = await load.done;
    console.log(`rolling restart under ${RATE} calls/s: ${restarts.join('; ')}`);
    const logs = () => [...stoppedLogs, ...[...svcs].map(([id, p]) => `${id}:\n${p.output().slice(-6000)}`)].join('\n');
    expect(res.code, `${res.errors || res.output.slice(-2000)}\nthe services said:\n${logs()}`).toBe(0);

    const rows = await waitFor(
      'every call recorded as ended',
      async () => {
        const r = await pool.query('SELECT call_id, outcome, hung_up_by, ended_at FROM calls WHERE caller = $1', [caller]);
        return r.rows.length === CALLS && r.rows.every((x) => x.ended_at) ? r.rows : undefined;
      },
      60_000,
    ).catch(async (err: Error) => {
      const r = await pool.query('SELECT call_id, outcome, ended_at FROM calls WHERE caller = $1', [caller]);
      const open = r.rows.filter((x) => !x.ended_at).map((x) => x.call_id);
      throw new Error(`${err.message}: ${r.rows.length} calls recorded, not ended: ${JSON.stringify(open)}\nthe services said:\n${logs()}`);
    });
    const by = (k: string) => {
      const n = new Map<string, number>();
      for (const x of rows) n.set(String(x[k]), (n.get(String(x[k])) ?? 0) + 1);
      return [...n].map(([v, c]) => `${v}: ${c}`);
    };
    console.log(`outcomes: ${by('outcome').join(', ')}; hung up by: ${by('hung_up_by').join(', ')}`);
    // No call was cut by the restarts: each ended because its caller hung up.
    expect(rows.filter((x) => x.hung_up_by !== 'caller')).toEqual([]);
    expect(rows.filter((x) => x.outcome !== 'answered' && x.outcome !== 'abandoned')).toEqual([]);
    // The criterion is above (no call failed). These callers give up ~2.6 s into a wait, so
    // the answered share measures the handovers' pauses, which the suite's load stretches: 97 % alone
    // on the rig, 82 % in a CI run where an instance took 17.5 s to start again. A floor, not a goal.
    expect(rows.filter((x) => x.outcome === 'answered').length).toBeGreaterThanOrEqual(CALLS * 0.7);
  }, 300_000);
});
