import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { api } from '../support/ivr.js';
import { requireEnv } from '../support/rig.js';
import { freshAgentId, randomPassword, startTestService, waitFor } from '../support/service.js';
import { killHard, spawnService, stopGracefully } from '../support/process.js';
import { unlinkPrefix } from '../support/redis.js';
import { Redis } from 'ioredis';
import pg from 'pg';

const ariUrl = () => requireEnv('ARI_URL');
const basic = () => 'Basic ' + Buffer.from(`${requireEnv('ARI_USER')}:${requireEnv('ARI_PASSWORD')}`).toString('base64');

/** What Asterisk holds for a Stasis app; shown only while someone is connected to it. */
async function appHolds(app: string): Promise<{ device_names: string[] }> {
  const r = await fetch(`${ariUrl()}/ari/applications/${app}`, { headers: { authorization: basic() } });
  if (!r.ok) throw new Error(`GET applications/${app} -> ${r.status}`);
  return (await r.json()) as { device_names: string[] };
}

/** Asterisk keeps an app's subscriptions across connections: connect as the app again and look. */
async function phonesFollowedAfterStop(app: string): Promise<string[]> {
  const ws = new WebSocket(`${ariUrl().replace(/^http/, 'ws')}/ari/events?app=${app}&subscribeAll=false`, {
    headers: { authorization: basic() },
  });
  try {
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    return (await appHolds(app)).device_names;
  } finally {
    ws.close();
  }
}

describe('graceful shutdown', () => {
  it("takes its agents' device-state subscriptions out of Asterisk, so no phone state goes to an app nobody hears", async () => {
    const app = `tshut${randomBytes(3).toString('hex')}`;
    const rig = await startTestService({ ARI_APP: app });
    const id = await freshAgentId(rig);
    const put = await api(rig, 'PUT', `/api/agents/${id}`, { name: '关机测试', password: randomPassword(), skills: {}, queues: [] });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    await waitFor("the agent's phone followed", async () => (await appHolds(app)).device_names.includes(`PJSIP/${id}`));

    await rig.stop();

    expect(await phonesFollowedAfterStop(app)).toEqual([]);
  }, 60_000);

  it('as its own process stopped with SIGTERM, as an orchestrator stops it: drains fully and exits 0, though the signal comes twice', async () => {
    const app = `tterm${randomBytes(3).toString('hex')}`;
    const prefix = `t12test:${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 1 });
    const redis = new Redis(requireEnv('REDIS_URL'));
    const svc = await spawnService({ ARI_APP: app, REDIS_PREFIX: prefix, INSTANCE_ID: 'sigterm-test' });
    try {
      const id = await freshAgentId({ pool });
      const r = await fetch(`${svc.url}/api/agents/${id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${requireEnv('ADMIN_TOKEN')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: '信号测试', password: randomPassword(), skills: {}, queues: [] }),
      });
      expect(r.status, await r.text()).toBe(201);
      await waitFor("the agent's phone followed", async () => (await appHolds(app)).device_names.includes(`PJSIP/${id}`));

      // Twice, as when a wrapper (npx, tsx) relays the signal its process group also got.
      // The second once the first is being handled (two pending at once are one to the kernel).
      process.kill(svc.child.pid!, 'SIGTERM');
      await waitFor('the service began its stop', async () => svc.output().includes('shutting down'), 10_000, 5);
      await stopGracefully(svc);
      expect(svc.child.exitCode, svc.output().slice(-2000)).toBe(0);
      // Only a stop that ran to its end takes the subscriptions out (see above).
      expect(await phonesFollowedAfterStop(app)).toEqual([]);
    } finally {
      await killHard(svc);
      await unlinkPrefix(redis, prefix);
      redis.disconnect();
      await pool.end();
    }
  }, 60_000);
});
