import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { requireEnv, ROOTFS } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';
import { killHard, spawnService, type ServiceProcess } from '../support/process.js';
import { unlinkPrefix } from '../support/redis.js';
import { oneAgentOnOther } from '../support/one-agent.js';

const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const env = { REDIS_PREFIX: prefix, INSTANCE_ID: 'restart-test', OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-')) };
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
let svc: ServiceProcess | undefined;

const logs: string[] = [];
afterAll(async () => {
  if (svc) {
    logs.push(svc.output());
    await killHard(svc);
  }
  if (process.env.RESTART_TEST_LOG)
    (await import('node:fs')).writeFileSync(process.env.RESTART_TEST_LOG, logs.join('\n----- restart -----\n'));
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

const rowsFor = async (callers: string[]) =>
  (
    await pool.query('SELECT caller, outcome, agent_id, hung_up_by, entered_queue_at, ended_at FROM calls WHERE caller = ANY($1)', [
      callers,
    ])
  ).rows;

describe('kill -9 of the service', () => {
  it('with one call bridged and two waiting: after a restart all three end correctly, waiting callers in order', async () => {
    svc = await spawnService(env);
    const { agentId, phone } = await oneAgentOnOther(svc.url, pool, { name: '重启测试', phoneCalls: 10, timeoutS: 120 });

    // Each caller presses 0 (a person) at once. The first talks 14 s; the others wait, then talk ~6 s.
    const place = (talkMs: number) => {
      const caller = uniqueCaller();
      const run = sipp({
        scenario: 'caller-dtmf.xml',
        ip: '127.0.0.2',
        keys: { caller, dialed: '12366' },
        vars: { talk_ms: talkMs },
        files: { pcap: dtmfPcap(presses('0', 400), { audioMs: talkMs }) },
        timeoutS: 120,
      });
      return { caller, run };
    };
    const first = place(14_000);
    await waitFor(
      'first call answered',
      async () =>
        (
          await pool.query("SELECT 1 FROM events e JOIN calls c USING (call_id) WHERE c.caller = $1 AND e.type = 'call.agent_answered'", [
            first.caller,
          ])
        ).rowCount,
    );
    const second = place(22_000);
    await new Promise((res) => setTimeout(res, 1000));
    const third = place(30_000);
    await waitFor(
      'both waiting',
      async () => (await rowsFor([second.caller, third.caller])).filter((x) => x.entered_queue_at).length === 2,
    );

    logs.push(svc.output());
    await killHard(svc);
    await new Promise((res) => setTimeout(res, 1500));
    const asteriskLog = path.join(ROOTFS, 'var/log/asterisk/messages.log');
    const logFrom = statSync(asteriskLog).size;
    svc = await spawnService(env);

    const results = await Promise.all([first.run.done, second.run.done, third.run.done]);
    for (const res of results) expect(res.code, res.errors || res.output.slice(-1500)).toBe(0);
    await waitFor(
      'all three recorded',
      async () => (await rowsFor([first.caller, second.caller, third.caller])).every((x) => x.outcome),
      20_000,
    );
    const rows = await rowsFor([first.caller, second.caller, third.caller]);
    const by = (c: string) => rows.find((x) => x.caller === c)!;
    for (const c of [first.caller, second.caller, third.caller]) {
      expect(by(c)).toMatchObject({ outcome: 'answered', agent_id: agentId, hung_up_by: 'caller' });
    }
    // The second caller, who waited longer, reached the agent before the third.
    const answered = async (caller: string) =>
      Date.parse(
        (
          await pool.query(
            "SELECT e.at FROM events e JOIN calls c USING (call_id) WHERE c.caller = $1 AND e.type = 'call.agent_answered'",
            [caller],
          )
        ).rows[0].at,
      );
    expect(await answered(second.caller)).toBeLessThan(await answered(third.caller));
    // The phone Asterisk still had was not pushed again: an update re-applies every option and
    // Asterisk warns about the deprecated ones, once per agent at every restart.
    const since = readFileSync(asteriskLog).subarray(logFrom).toString('utf8').split('\n');
    expect(since.filter((l) => l.includes(`Endpoint ${agentId}:`))).toEqual([]);
    phone.kill();
  }, 150_000);
});
