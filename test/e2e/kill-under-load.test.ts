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

// Issue 24: kill -9 of an instance holding 100 concurrent calls, waiting and bridged: none dropped.
// One instance takes all 100 (the other starts only once they are placed), 60 of them talking to
// the 60 agents and 40 waiting; then it is killed and the other takes them over. The talking ones
// end when their callers hang up; the waiting ones reach the agents the first ones free.
const TALKING = 60;
const WAITING = 40;
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const envOf = (id: string) =>
  instanceEnv(prefix, id, {
    LOG_LEVEL: 'warn',
    // Every call here comes from two numbers: no "first to the agent who answered them last".
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

/** `calls` taxpayers at 25/s pressing 0 for a person, each hanging up `talkMs` after the dialplan answered (waiting included). */
function callers(caller: string, calls: number, talkMs: number) {
  return sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses('0', 400), { audioMs: talkMs }) },
    rate: 25,
    calls,
    limit: calls,
    timeoutS: 150,
  });
}

describe('kill -9 of an instance holding 100 calls', () => {
  it(`${TALKING} talking and ${WAITING} waiting: the survivor takes them all, none is dropped, the waiting reach agents`, async () => {
    svcs.set('ka', await spawnService(envOf('ka')));
    const a = svcs.get('ka')!.url;
    const { phone } = await oneAgentOnOther(a, pool, { name: '百呼一', phoneCalls: 10, timeoutS: 150, other: { preferredAgentS: 0 } });
    phones.push(phone);
    phones.push((await moreAgentsOnOther(a, pool, { count: TALKING - 1, name: '百呼', phoneCalls: 200, timeoutS: 150 })).phone);

    // The first 60 talk 25 s (their callers hang up 25 s after the answer, wait included); the next
    // 40 find every agent busy and wait; they stay 55 s, long enough to talk once agents are free.
    const first = uniqueCaller();
    const then = uniqueCaller();
    const talking = callers(first, TALKING, 25_000);
    await waitFor('the first calls in', async () => ((await redis.scard(`${prefix}:sessions:ka`)) >= TALKING ? true : undefined), 20_000);
    await new Promise((r) => setTimeout(r, 3000));
    const waiting = callers(then, WAITING, 55_000);
    const held = await waitFor(
      'all 100 calls held by the first instance',
      async () => {
        const n = await redis.scard(`${prefix}:sessions:ka`);
        return n >= TALKING + WAITING ? n : undefined;
      },
      20_000,
    );
    // Talking: answered (call.agent_answered) and not ended; the others wait in the queue.
    const counts = (
      await pool.query(
        `SELECT count(*) FILTER (WHERE a.call_id IS NOT NULL)::int AS bridged, count(*) FILTER (WHERE a.call_id IS NULL)::int AS waiting
           FROM calls c LEFT JOIN (SELECT DISTINCT call_id FROM events WHERE type = 'call.agent_answered') a ON a.call_id = c.call_id
          WHERE c.caller IN ($1, $2) AND c.ended_at IS NULL`,
        [first, then],
      )
    ).rows[0];
    console.log(`kill -9 of an instance holding ${held} calls: ${counts.bridged} talking, ${counts.waiting} waiting`);
    expect(counts.bridged).toBeGreaterThanOrEqual(TALKING - 5);
    expect(counts.waiting).toBeGreaterThanOrEqual(WAITING - 5);

    svcs.set('kb', await spawnService(envOf('kb')));
    const killedAt = Date.now();
    await killHard(svcs.get('ka')!);
    svcs.delete('ka');
    await waitFor(
      'the survivor holds the calls',
      async () => ((await redis.scard(`${prefix}:sessions:kb`)) >= held ? true : undefined),
      15_000,
    );
    console.log(`taken over ${Date.now() - killedAt} ms after the kill`);

    const [t, w] = await Promise.all([talking.done, waiting.done]);
    for (const r of [t, w]) expect(r.code, r.errors || r.output.slice(-1500)).toBe(0);
    const rows = await waitFor(
      'every call recorded as ended',
      async () => {
        const r = await pool.query('SELECT caller, outcome, hung_up_by, agent_id, ended_at FROM calls WHERE caller IN ($1, $2)', [
          first,
          then,
        ]);
        return r.rows.length === TALKING + WAITING && r.rows.every((x) => x.ended_at) ? r.rows : undefined;
      },
      60_000,
    );
    // None dropped: every call ended because its caller hung up, and every one reached an agent.
    expect(rows.filter((x) => x.hung_up_by !== 'caller')).toEqual([]);
    expect(rows.filter((x) => x.outcome !== 'answered')).toEqual([]);
  }, 300_000);
});
