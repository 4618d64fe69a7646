import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/ivr.js';
import { asteriskCli, freePorts, promptMs } from '../support/rig.js';
import { registerAgent, sipp } from '../support/sipp.js';
import { freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
let agentId: string;
let password: string;

beforeAll(async () => {
  rig = await startTestService();
  agentId = await freshAgentId(rig);
  password = randomPassword();
  const put = await api(rig, 'PUT', `/api/agents/${agentId}`, { name: '钱进', password, skills: { vat: 3 }, queues: ['ntax-vat'] });
  if (put.status !== 201) throw new Error(`agent not created: ${put.status} ${JSON.stringify(put.body)}`);
  await registerAgent(agentId, password, freePorts().sip);
  await waitFor('phone registered', async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
});
afterAll(async () => {
  if (agentId) await api(rig, 'DELETE', `/api/agents/${agentId}`).catch(() => undefined);
  await rig?.stop();
});

/** The agent's phone dials `dialed` and listens until Asterisk hangs up; fails if SIPp does. */
async function dial(dialed: string, user = agentId, pass = password): Promise<number> {
  const t0 = Date.now();
  const r = await sipp({ scenario: 'agent-dials.xml', ip: '127.0.0.1', keys: { user, password: pass, dialed }, timeoutS: 20 }).done;
  if (r.code !== 0) throw new Error(`SIPp dialling ${dialed} failed (exit ${r.code}):\n${r.errors || r.output.slice(-2000)}`);
  return Date.now() - t0;
}

async function stateChanges(): Promise<Array<Record<string, unknown>>> {
  const r = await rig.pool.query<{ body: Record<string, unknown> }>(
    "SELECT body FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' ORDER BY seq",
    [agentId],
  );
  return r.rows.map((x) => x.body);
}

describe('agent feature codes dialled from the phone', () => {
  it('the dialplan sends *1… codes into the app', () => {
    const out = asteriskCli('dialplan show from-agents');
    expect(out).toContain('_*1[1-5]');
    expect(out).toContain('_*13X');
  });

  it('*11 logs in, *132 pauses for a meeting, *14 unpauses, *12 logs out; each is an event via the phone', async () => {
    const started = Date.now();
    // The call lasts at least as long as the confirmation: it was played before the hang-up.
    expect(await dial('*11')).toBeGreaterThan(promptMs('zh', 'agent-logged-in'));
    expect(await rig.svc.liveAgents.agent(agentId)).toMatchObject({ state: 'available', registered: true });

    await dial('*132');
    expect(await rig.svc.liveAgents.agent(agentId)).toMatchObject({ state: 'paused', pauseReason: 'meeting' });
    expect((await api(rig, 'GET', `/api/agents/${agentId}`)).body).toMatchObject({ state: 'paused', pauseReason: 'meeting' });

    await dial('*14');
    expect((await rig.svc.liveAgents.agent(agentId))?.state).toBe('available');

    await dial('*12');
    expect((await rig.svc.liveAgents.agent(agentId))?.state).toBe('logged_out');

    await waitFor('four state changes stored', async () => (await stateChanges()).length === 4);
    const events = await stateChanges();
    expect(events.map((e) => [e.from, e.to, e.reason, e.via, e.pauseReason])).toEqual([
      ['logged_out', 'available', 'login', 'phone', undefined],
      ['available', 'paused', 'pause', 'phone', 'meeting'],
      ['paused', 'available', 'unpause', 'phone', undefined],
      ['available', 'logged_out', 'logout', 'phone', undefined],
    ]);
    for (const e of events) expect(Date.parse(String(e.at))).toBeGreaterThanOrEqual(started - 1000);
    // The same events reached the Redis stream.
    await waitFor('stream has the phone changes', async () => {
      const entries = await rig.redis.xrange(`${rig.prefix}:events`, '-', '+');
      return entries.filter(([, f]) => f.includes(agentId) && f.join('\n').includes('"via":"phone"')).length === 4;
    });
  }, 90_000);

  it('a code that does not apply, or is unknown, changes nothing and still ends the call', async () => {
    const before = (await stateChanges()).length;
    expect((await rig.svc.liveAgents.agent(agentId))?.state).toBe('logged_out');
    expect(await dial('*15')).toBeGreaterThan(promptMs('zh', 'agent-action-failed')); // no wrap-up to end
    await dial('*14'); // not paused
    await dial('*135'); // no pause reason 5
    expect((await rig.svc.liveAgents.agent(agentId))?.state).toBe('logged_out');
    await new Promise((r) => setTimeout(r, 300));
    expect((await stateChanges()).length).toBe(before);
  }, 60_000);
});
