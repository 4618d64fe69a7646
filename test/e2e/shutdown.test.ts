import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { api } from '../support/ivr.js';
import { requireEnv } from '../support/rig.js';
import { freshAgentId, randomPassword, startTestService, waitFor } from '../support/service.js';

const ariUrl = () => requireEnv('ARI_URL');
const basic = () => 'Basic ' + Buffer.from(`${requireEnv('ARI_USER')}:${requireEnv('ARI_PASSWORD')}`).toString('base64');

/** What Asterisk holds for a Stasis app; shown only while someone is connected to it. */
async function appHolds(app: string): Promise<{ device_names: string[] }> {
  const r = await fetch(`${ariUrl()}/ari/applications/${app}`, { headers: { authorization: basic() } });
  if (!r.ok) throw new Error(`GET applications/${app} -> ${r.status}`);
  return (await r.json()) as { device_names: string[] };
}

describe('graceful shutdown', () => {
  it('takes its agents\' device-state subscriptions out of Asterisk, so no phone state goes to an app nobody hears', async () => {
    const app = `tshut${randomBytes(3).toString('hex')}`;
    const rig = await startTestService({ ARI_APP: app });
    const id = await freshAgentId(rig);
    const put = await api(rig, 'PUT', `/api/agents/${id}`, { name: '关机测试', password: randomPassword(), skills: {}, queues: [] });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    await waitFor('the agent\'s phone followed', async () => (await appHolds(app)).device_names.includes(`PJSIP/${id}`));

    await rig.stop();

    // Asterisk keeps an app's subscriptions across connections: connect as the app again and look.
    const ws = new WebSocket(`${ariUrl().replace(/^http/, 'ws')}/ari/events?app=${app}&subscribeAll=false`, { headers: { authorization: basic() } });
    try {
      await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
      expect((await appHolds(app)).device_names).toEqual([]);
    } finally {
      ws.close();
    }
  }, 60_000);
});
