import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { adminCall, moreAgentsOnOther, oneAgentOnOther } from '../support/one-agent.js';
import { killHard, spawnService, stopGracefully, type ServiceProcess } from '../support/process.js';
import { REPO, ROOTFS, requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { sipp, type SippRun } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';

// Issue 24: "a node going down: its calls are lost (media) but recorded as such, its agents are
// marked unreachable at once, nothing else stops". An Asterisk node of its own (so the rig's others
// are untouched) is killed with SIGKILL while callers talk and wait on it: nothing tells the service
// (no hang-up, no shutdown); it finds its ARI gone, marks the node's phones unreachable at once and,
// Asterisk answering nothing for ASTERISK_LOST_AFTER_MS, records every call on it as lost.
const NODE = { name: 'nl', sip: '127.0.0.1:5211', ari: 'http://127.0.0.1:8239' };
const nodeEnv = { RIG_NODE: 'nl', RIG_SIP_PORT: '5211', RIG_ARI_PORT: '8239', RIG_AMI_PORT: '5189', RIG_RTP: '27002-27150' };
const rigNode = (cmd: string) =>
  execFileSync('bash', [`${REPO}/scripts/rig.sh`, cmd], { env: { ...process.env, ...nodeEnv }, stdio: 'ignore' });
const LOST_AFTER_MS = 3000;
const AGENTS = 4;
const CALLERS = 8;
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
let svc: ServiceProcess | undefined;
const phones: SippRun[] = [];
let load: SippRun | undefined;

beforeAll(() => rigNode('asterisk'), 60_000);
afterAll(async () => {
  load?.kill();
  for (const p of phones) p.kill();
  if (svc) await stopGracefully(svc).catch(() => killHard(svc!));
  // Clears what the killed Asterisk left (its pid file), or stops it if the test failed before the kill.
  rigNode('down');
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

describe('an Asterisk node lost with calls on it', () => {
  it(`SIGKILL of the node while ${AGENTS} callers talk and ${CALLERS - AGENTS} wait: agents unreachable at once, every call recorded as lost within seconds`, async () => {
    svc = await spawnService({
      REDIS_PREFIX: prefix,
      INSTANCE_ID: 'node-lost',
      ARI_APP: 'tax12366-nl',
      ARI_URL: NODE.ari,
      ASTERISK_NODE: NODE.name,
      ASTERISK_LOST_AFTER_MS: String(LOST_AFTER_MS),
      AMI_USER: '',
      OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-nl-')),
      LOG_LEVEL: 'warn',
      PREFERRED_AGENT_WITHIN_H: '0',
    });
    const url = svc.url;
    const first = await oneAgentOnOther(url, pool, { name: '失联节点', phoneCalls: 10, timeoutS: 120, target: NODE.sip });
    phones.push(first.phone);
    // The others share one SIPp phone, which answers every call and holds it until the caller hangs up.
    const more = await moreAgentsOnOther(url, pool, { count: AGENTS - 1, name: '失联', phoneCalls: 10, timeoutS: 120, target: NODE.sip });
    phones.push(more.phone);
    const agents = [first.agentId, ...more.agents.map((x) => x.agentId)];
    const registered = async (id: string) => (await redis.hget(`${prefix}:agent:${id}`, 'registered')) === '1';
    for (const id of agents) await waitFor(`${id} registered on ${NODE.name}`, () => registered(id), 10_000);

    // Taxpayers pressing 0 for a person, talking for a minute: the first four reach the agents, the rest wait.
    const caller = uniqueCaller();
    load = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      target: NODE.sip,
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 60_000 },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 60_000 }) },
      rate: CALLERS,
      calls: CALLERS,
      limit: CALLERS,
      timeoutS: 120,
    });
    const states = async () =>
      ((await adminCall(url, 'GET', '/api/agents')) as Array<{ agentId: string; state: string }>).filter((a) => agents.includes(a.agentId));
    await waitFor('every agent talking', async () => (await states()).every((a) => a.state === 'on_call'), 30_000, 200);
    await waitFor('the other callers waiting', async () => (await redis.hlen(`${prefix}:waiting`)) === CALLERS - AGENTS, 30_000, 200);

    // The node dies: no BYE, no hang-up event, no shutdown; its sockets just close.
    const pid = Number(readFileSync(path.join(ROOTFS, 'run', `asterisk-${NODE.name}`, 'asterisk.pid'), 'utf8').trim());
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');

    await waitFor("the node's agents unreachable", async () => (await Promise.all(agents.map(registered))).every((r) => !r), 2000, 25);
    const unreachableMs = Date.now() - killedAt;
    const ended = async () =>
      (await pool.query('SELECT call_id, outcome, hung_up_by, end_reason, agent_id, ended_at FROM calls WHERE caller = $1', [caller]))
        .rows as Array<{
        call_id: string;
        outcome: string;
        hung_up_by: string;
        end_reason: string;
        agent_id: string | null;
        ended_at: Date | null;
      }>;
    const rows = await waitFor(
      'every call recorded as ended',
      async () => {
        const r = await ended();
        return r.length === CALLERS && r.every((x) => x.ended_at) && r;
      },
      LOST_AFTER_MS + 15_000,
      100,
    );
    const recordedMs = Math.max(...rows.map((r) => r.ended_at!.getTime())) - killedAt;
    console.log(
      `node killed: its agents unreachable after ${unreachableMs} ms; all ${CALLERS} calls recorded as lost after ${recordedMs} ms (ASTERISK_LOST_AFTER_MS ${LOST_AFTER_MS})`,
    );
    // Lost, by the system, with the cause: talking ones stay answered, waiting ones are not abandons.
    expect(rows.filter((r) => r.end_reason !== 'asterisk_lost' || r.hung_up_by !== 'system')).toEqual([]);
    expect(
      rows
        .filter((r) => r.outcome === 'answered')
        .map((r) => r.agent_id)
        .sort(),
    ).toEqual([...agents].sort());
    expect(rows.filter((r) => r.outcome !== 'answered').map((r) => r.outcome)).toEqual(Array(CALLERS - AGENTS).fill('rejected'));
    expect(recordedMs).toBeLessThan(LOST_AFTER_MS + 10_000);
    // Nothing else stops: the service answers, nobody is left waiting, no agent is left on a call.
    expect(await redis.hlen(`${prefix}:waiting`)).toBe(0);
    await waitFor('no agent left on a call', async () => (await states()).every((a) => a.state !== 'on_call'), 10_000, 200);
  }, 180_000);
});
