/**
 * The SIP edge under attack (docs/security.md): requests that must be refused by Asterisk itself,
 * before any channel reaches the service's Stasis app. Runs against the rig's Asterisk, or another
 * node with SIP_PORT, ARI_URL, AMI_PORT and RIG_ASTERISK_CONF set (test/support/rig.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipp, registerAgent } from '../support/sipp.js';
import { asteriskCli, freePorts } from '../support/rig.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { randomPassword, startTestService, freshAgentId, uniqueCaller, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
let agentId: string;
let password: string;
beforeAll(async () => {
  // The guard on, with the shipped limit (20 failures a minute), as production runs it.
  rig = await startTestService({ AMI_USER: process.env.AMI_USER ?? '' });
  agentId = await freshAgentId(rig);
  password = randomPassword();
  await rig.svc.agents.save({ agentId, name: `坐席${agentId}`, password, skills: {}, queues: ['other'] });
  await activateIvr(rig, alwaysOpen12366());
}, 60_000);
afterAll(async () => {
  await rig?.stop();
});

/** Runs a scenario that passes only on the expected final response; returns SIPp's verdict. */
async function expectRefused(scenario: string, code: number, o: { ip: string; keys: Record<string, string | number> }): Promise<void> {
  const r = await sipp({ scenario, ip: o.ip, keys: o.keys, subst: { code }, timeoutS: 10 }).done;
  expect(r.code, `${scenario} from ${o.ip} ${JSON.stringify(o.keys)} expected ${code}:\n${r.errors || r.output.slice(-1500)}`).toBe(0);
}

/** No call from this caller reached the service (every StasisStart of the inbound role is a row in calls). */
async function neverReachedStasis(callers: string[]): Promise<void> {
  // Long enough for a StasisStart to have been stored had there been one.
  await new Promise((r) => setTimeout(r, 1500));
  const rows = await rig.pool.query('SELECT caller FROM calls WHERE caller = ANY($1)', [callers]);
  expect(rows.rows).toEqual([]);
}

describe('the SIP edge refuses what is not the carrier or an agent', () => {
  it('refuses INVITEs from any address but the trunk: posing as `trunk`, to 12366, to an agent, to a feature code, out', async () => {
    const callers: string[] = [];
    const hostile = async (user: string, dialed: string, ip = '127.0.0.1') => {
      await expectRefused('invite-refused.xml', 401, { ip, keys: { user, dialed } });
    };
    // The issue's own attack: From user `trunk`, from loopback 127.0.0.1 rather than the trunk's 127.0.0.2.
    await hostile('trunk', '12366');
    for (const [ip, dialed] of [
      ['127.0.0.1', '12366'],
      ['127.0.0.9', '12366'],
      ['127.0.0.9', agentId],
      ['127.0.0.9', '*11'],
      ['127.0.0.9', '013800138000'],
    ] as const) {
      const caller = uniqueCaller();
      callers.push(caller);
      await hostile(caller, dialed, ip);
    }
    // An agent's id without its password is challenged, and no more.
    await hostile(agentId, '12366', '127.0.0.9');
    await neverReachedStasis(callers);
    expect(asteriskCli('core show channels count')).toMatch(/^0 active channels/m);
  }, 60_000);

  it('refuses the trunk anything but the hotline: 12399 (benchmark), an agent, a feature code, another number', async () => {
    const callers: string[] = [];
    for (const dialed of ['12399', '12398', agentId, '*11', '95566']) {
      const caller = uniqueCaller();
      callers.push(caller);
      await expectRefused('invite-refused.xml', 404, { ip: '127.0.0.2', keys: { user: caller, dialed } });
    }
    await neverReachedStasis(callers);
  }, 60_000);

  it("refuses an agent's phone, authenticated, dialling out or a hotline", async () => {
    for (const dialed of ['013800138000', '12366', '95566']) {
      await expectRefused('invite-auth-refused.xml', 404, { ip: '127.0.0.1', keys: { user: agentId, password, dialed } });
    }
    expect(asteriskCli('core show channels count')).toMatch(/^0 active channels/m);
  }, 60_000);

  it("refuses an agent's registration from outside the agents' networks or pointing outside them", async () => {
    // A Contact at a documentation address, with the right password: Asterisk swaps the endpoint for its
    // artificial one, whose challenge nothing passes (it never says the account exists). Nothing is stored,
    // so nothing is ever sent there.
    const r = await sipp({
      scenario: 'register-wrong-password.xml',
      ip: '127.0.0.1',
      keys: { user: agentId, password, contact_host: '192.0.2.10' },
      timeoutS: 10,
    }).done;
    expect(r.code, r.errors).toBe(0);
    expect(asteriskCli(`pjsip show aor ${agentId}`)).not.toMatch(/192\.0\.2\.10/);
  }, 30_000);

  it('blocks a source after 50 wrong REGISTERs, while the right agent still registers from another', async () => {
    const attacker = '127.0.0.66';
    // Failures past the block get 403 instead of 401: SIPp's verdict on the run does not matter, what follows does.
    await sipp({
      scenario: 'register-wrong-password.xml',
      ip: attacker,
      keys: { user: agentId, password: 'not-the-password', contact_host: attacker },
      calls: 50,
      rate: 25,
      timeoutS: 30,
    }).done;
    // Blocked: even the right password from that source is refused before any challenge.
    await waitFor(
      'the attacker blocked',
      async () => {
        const r = await sipp({
          scenario: 'register-refused.xml',
          ip: attacker,
          keys: { user: agentId, contact_host: attacker, contact_port: 5099 },
          subst: { code: 403 },
          timeoutS: 5,
        }).done;
        return r.code === 0;
      },
      15_000,
      500,
    );
    // The agent from its own address is not.
    const phone = freePorts().sip;
    await registerAgent(agentId, password, phone, 600, '127.0.0.1');
    await waitFor('agent registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
    await registerAgent(agentId, password, phone, 0, '127.0.0.1');
  }, 90_000);
});
