import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/rig.js';
import { randomPassword, startTestService, freshAgentId, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
beforeAll(async () => {
  rig = await startTestService();
});
afterAll(async () => {
  await rig?.stop();
});

const rigCmd = (cmd: string) => execFileSync('bash', [`${REPO}/scripts/rig.sh`, cmd], { stdio: 'ignore' });

describe('when Asterisk restarts under the service', () => {
  it("reconnects with backoff, reports it in /healthz, and pushes agents' phones again", async () => {
    const agentId = await freshAgentId(rig);
    await rig.svc.agents.save({ agentId, name: '重连测试', password: randomPassword() });
    const health = async () => (await fetch(`${rig.svc.url}/healthz`)).status;
    expect(await health()).toBe(200);

    rigCmd('down');
    await waitFor('healthz red while Asterisk is down', async () => (await health()) === 503);
    rigCmd('up');
    await waitFor('healthz green after reconnect', async () => (await health()) === 200, 30_000);
    // Asterisk forgot the pushed endpoint when it stopped; the service pushed it again.
    const ep = await waitFor(
      'agent endpoint back in Asterisk',
      () => rig.svc.ari.endpoint('PJSIP', agentId).catch(() => undefined),
      15_000,
    );
    expect(ep.resource).toBe(agentId);
  }, 90_000);
});
