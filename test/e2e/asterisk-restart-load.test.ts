import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { adminCall, moreAgentsOnOther, oneAgentOnOther } from '../support/one-agent.js';
import { killHard, spawnService, stopGracefully, type ServiceProcess } from '../support/process.js';
import { REPO, requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';

// Issue 24: Asterisk restarted in the middle of a load. The service reconnects and is ready for new
// calls within 10 s, pushes the agents' phones again, and records every call the restart cut with
// that cause (not as the caller's hang-up); the phones register again and a new call is answered.
const RATE = 10;
const CALLS = 150;
const AGENTS = 30;
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const env = {
  REDIS_PREFIX: prefix,
  INSTANCE_ID: 'restart-load',
  ARI_APP: 'tax12366-trl',
  OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-rl-')),
  LOG_LEVEL: 'warn',
  // Every call here comes from one number: no "first to the agent who answered them last".
  PREFERRED_AGENT_WITHIN_H: '0',
};
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
let svc: ServiceProcess | undefined;
const phones: SippRun[] = [];
const rigCmd = (cmd: string) => execFileSync('bash', [`${REPO}/scripts/rig.sh`, cmd], { stdio: 'ignore' });

afterAll(async () => {
  for (const p of phones) p.kill();
  if (svc) await stopGracefully(svc).catch(() => killHard(svc!));
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

/** A taxpayer (or `calls` of them at `rate`) pressing 0 for a person, hanging up `talkMs` after the dialplan answered. */
function callers(caller: string, o: { calls: number; rate: number; talkMs: number }) {
  return sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: o.talkMs },
    files: { pcap: dtmfPcap(presses('0', 400), { audioMs: o.talkMs }) },
    rate: o.rate,
    calls: o.calls,
    // Far above what is open at once: calls are placed at the rate whatever happens.
    limit: o.calls,
    timeoutS: 120,
  });
}

describe('Asterisk restarted under load', () => {
  it(`${CALLS} calls at ${RATE}/s, Asterisk restarted in the middle: ready again within 10 s, every cut call recorded with its cause, new calls answered`, async () => {
    svc = await spawnService(env);
    const url = svc.url;
    const first = await oneAgentOnOther(url, pool, { name: '重启负载', phoneCalls: CALLS, timeoutS: 150, other: { preferredAgentS: 0 } });
    phones.push(first.phone);
    // The others share one SIPp phone (one UAS answering every agent's calls).
    const more = await moreAgentsOnOther(url, pool, { count: AGENTS - 1, name: '重启', phoneCalls: CALLS, timeoutS: 150 });
    phones.push(more.phone);
    const agents = [{ agentId: first.agentId, password: '', port: 0 }, ...more.agents];

    const caller = uniqueCaller();
    const load = callers(caller, { calls: CALLS, rate: RATE, talkMs: 6000 });
    await new Promise((r) => setTimeout(r, 6000));
    const downAt = new Date();
    rigCmd('down');
    rigCmd('up');
    const upAt = Date.now();
    await waitFor('healthz green after the restart', async () => (await fetch(`${url}/healthz`)).status === 200, 30_000, 100);
    const readyMs = Date.now() - upAt;
    console.log(`Asterisk restarted under ${RATE} calls/s: the service ready again ${readyMs} ms after Asterisk was up`);
    expect(readyMs).toBeLessThan(10_000);
    const res = await load.done;
    // SIPp's calls cut by the restart fail on its side; only what the service recorded is judged.
    console.log(
      `SIPp: ${/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(res.output)?.[1] ?? '?'} of ${CALLS} calls failed on the callers' side`,
    );

    const rows = await waitFor(
      'every call recorded as ended',
      async () => {
        const r = await pool.query(
          'SELECT call_id, started_at, ended_at, outcome, hung_up_by, end_reason FROM calls WHERE caller = $1 ORDER BY started_at',
          [caller],
        );
        return r.rows.length > 0 && r.rows.every((x) => x.ended_at) ? r.rows : undefined;
      },
      60_000,
    );
    // asterisk_lost too: a call still held when Asterisk had answered nothing for ASTERISK_LOST_AFTER_MS (a slow start).
    const CUT = ['asterisk_shutdown', 'asterisk_restarted', 'asterisk_lost'];
    const cut = rows.filter((x) => CUT.includes(x.end_reason));
    // Up when Asterisk was told to stop, and not ended before: Asterisk hung them up (or they were found gone at the reconnection).
    // (Placed within 5 s before: each talks 6 s, so none of them was over by then of its own.)
    const spanning = rows.filter((x) => x.started_at < downAt && x.started_at.getTime() > downAt.getTime() - 5000);
    console.log(
      `${rows.length} calls reached the service: ${cut.length} cut by the restart (${cut.filter((x) => x.outcome === 'answered').length} while talking), ` +
        `${rows.filter((x) => x.started_at > downAt).length} placed after it`,
    );
    // Each call up when Asterisk stopped has the restart as its cause, ended by the system.
    expect(spanning.length).toBeGreaterThan(0);
    expect(spanning.filter((x) => !CUT.includes(x.end_reason) || x.hung_up_by !== 'system')).toEqual([]);
    // None was taken for an abandon.
    expect(cut.filter((x) => x.outcome === 'abandoned')).toEqual([]);

    // The phones register again (as real phones do when their registration fails): pushed again by
    // the service, they reach the agents, and a new taxpayer is answered.
    for (const a of agents.slice(1)) await registerAgent(a.agentId, a.password, a.port);
    await waitFor(
      'the agents reachable again',
      async () => {
        const list = (await adminCall(url, 'GET', '/api/agents')) as Array<{ agentId: string; registered: boolean; state: string }>;
        const mine = list.filter((x) => agents.slice(1).some((a) => a.agentId === x.agentId));
        return mine.length === AGENTS - 1 && mine.every((x) => x.registered && x.state === 'available');
      },
      30_000,
    );
    const probe = uniqueCaller();
    const after = await callers(probe, { calls: 1, rate: 1, talkMs: 4000 }).done;
    expect(after.code, after.errors || after.output.slice(-1500)).toBe(0);
    const p = await waitFor(
      'the new call recorded',
      async () => (await pool.query('SELECT outcome, ended_at FROM calls WHERE caller = $1', [probe])).rows.find((x) => x.ended_at),
      20_000,
    );
    expect(p.outcome).toBe('answered');
  }, 300_000);
});
