import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneWindows } from '../support/audio-measure.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { SIP_TARGET } from '../support/rig.js';
import { activateIvr, activateRouting, alwaysOpen12366, shippedRoutingWith } from '../support/ivr.js';
import { callAs, freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';

// Issue 23's supervision checks, measured on the audio each phone RECEIVED: three real baresip
// phones through the real Asterisk (taxpayer 1 kHz, agent 440 Hz, supervisor 1.5 kHz). In listen the
// supervisor hears both and neither party hears the supervisor; in whisper the agent hears the
// supervisor and the caller does not; in barge both do. Leaving does not disturb the call.
const CALLER_HZ = 1000;
const AGENT_HZ = 440;
// Not a harmonic of the others: G.711 puts 1 kHz's second harmonic at 2 kHz (about -55 dBFS).
const SUPERVISOR_HZ = 1500;
/** Each mode is held this long; the first and last second of each are not judged (switching, jitter). */
const PHASE_MS = 6000;
const run = randomBytes(3).toString('hex');

let rig: TestRig;

/** Open around the clock; 0 asks for a person (queue "other"), served by any agent. */
async function openMenuAndOther(r: TestRig) {
  await activateIvr(r, alwaysOpen12366());
  await activateRouting(
    r,
    shippedRoutingWith([
      {
        queue: 'other',
        strategy: 'longest_idle',
        steps: [{ afterS: 0, skills: 'any' }],
        wrapUpS: 1,
        ringTimeoutS: 10,
        noAnswerPauseAfter: 0,
      },
    ]),
  );
}
let agentId: string;
let phoneId: string;
let supervisorToken: string;
const phones: Baresip[] = [];

const call = (token: string | undefined, method: string, url: string, body?: unknown) => callAs(rig, token, method, url, body);
const admin = (method: string, url: string, body?: unknown) => call(rig.svc.config.ADMIN_TOKEN, method, url, body);

beforeAll(async () => {
  rig = await startTestService();
  await openMenuAndOther(rig);
  agentId = await freshAgentId(rig);
  phoneId = await freshAgentId(rig);
  const agentPassword = randomPassword();
  const phonePassword = randomPassword();
  expect(
    (await admin('PUT', `/api/agents/${agentId}`, { name: '监听测试坐席', password: agentPassword, skills: {}, queues: ['other'] })).status,
  ).toBe(201);
  // The supervisor's desk phone: an agent record that is never logged in, so no call is offered to it.
  expect((await admin('PUT', `/api/agents/${phoneId}`, { name: '班长话机', password: phonePassword, skills: {}, queues: [] })).status).toBe(
    201,
  );
  phones.push(await startBaresip({ name: 'agent', register: { user: agentId, password: agentPassword }, toneHz: AGENT_HZ }));
  phones.push(await startBaresip({ name: 'supervisor', register: { user: phoneId, password: phonePassword }, toneHz: SUPERVISOR_HZ }));
  expect((await admin('POST', `/api/agents/${agentId}/login`)).status).toBe(200);
  const username = `t-sv-${run}`;
  const password = randomPassword();
  expect((await admin('POST', '/api/accounts', { username, displayName: '测试班长', role: 'supervisor', password })).status).toBe(201);
  supervisorToken = (await call(undefined, 'POST', '/api/auth/login', { username, password })).body.token;
}, 90_000);

afterAll(async () => {
  for (const p of phones) await p.stop();
  await second?.stop();
  await rig?.stop();
});
let second: TestRig | undefined;

const eventsOf = async (callId: string) =>
  (
    await rig.pool.query<{ type: string; body: Record<string, unknown> }>(
      "SELECT type, body FROM events WHERE body->>'callId' = $1 ORDER BY seq",
      [callId],
    )
  ).rows;

/** Share of the 50 ms windows between fromS and toS (seconds into the file) in which the tone is present. */
async function share(file: string, hz: number, fromS: number, toS: number): Promise<number> {
  const w = (await toneWindows(file, hz)).filter((x) => x.atS >= fromS && x.atS < toS);
  if (!w.length) throw new Error(`${file} holds nothing between ${fromS} and ${toS} s`);
  return w.filter((x) => x.present).length / w.length;
}

describe('listen, whisper and barge from a third phone, measured on the received audio', () => {
  it('each mode reaches exactly the parties it should; switching and leaving do not disturb the call', async () => {
    const [agent, supervisorPhone] = phones as [Baresip, Baresip];
    const caller = uniqueCaller();
    const taxpayer = await startBaresip({ name: 'taxpayer', ip: '127.0.0.2', user: caller, toneHz: CALLER_HZ });
    phones.push(taxpayer);
    await taxpayer.dial(`sip:12366@${SIP_TARGET}`);
    await taxpayer.waitEvent('CALL_ESTABLISHED', 10_000);
    // Each phone's received WAV starts when its call's audio does: wall-clock marks map times into them.
    const callerT0 = Date.now();
    const callId = await waitFor(
      'the call',
      async () => (await rig.pool.query('SELECT call_id FROM calls WHERE caller = $1', [caller])).rows[0]?.call_id,
    );
    await new Promise((r) => setTimeout(r, 800));
    await taxpayer.sendDtmf('0');
    await agent.waitEvent('CALL_ESTABLISHED', 20_000);
    const agentT0 = Date.now();
    await waitFor('bridged', async () => (await eventsOf(callId)).some((e) => e.type === 'call.agent_answered'));
    await new Promise((r) => setTimeout(r, 1000));

    // Refused: a role without `supervise`, and the call's own agent's phone.
    const ro = `t-sv-ro-${run}`;
    const roPassword = randomPassword();
    await admin('POST', '/api/accounts', { username: ro, displayName: '只读', role: 'readonly', password: roPassword });
    const roToken = (await call(undefined, 'POST', '/api/auth/login', { username: ro, password: roPassword })).body.token;
    expect((await call(roToken, 'POST', `/api/calls/${callId}/supervision`, { mode: 'listen', phone: phoneId })).status).toBe(403);
    const own = await call(supervisorToken, 'POST', `/api/calls/${callId}/supervision`, { mode: 'listen', phone: agentId });
    expect(own.status).toBe(409);
    expect(own.body.error).toContain('/phone');

    const joined = await call(supervisorToken, 'POST', `/api/calls/${callId}/supervision`, { mode: 'listen', phone: phoneId });
    expect(joined.status, JSON.stringify(joined.body)).toBe(202);
    const id = joined.body.id as string;
    await supervisorPhone.waitEvent('CALL_ESTABLISHED', 15_000);
    const supT0 = Date.now();
    await waitFor('joined', async () =>
      (await call(supervisorToken, 'GET', '/api/supervision')).body.items.some(
        (s: { id: string; state: string }) => s.id === id && s.state === 'joined',
      ),
    );
    const marks: Record<string, number> = { listen: Date.now() };
    await new Promise((r) => setTimeout(r, PHASE_MS));
    expect((await call(supervisorToken, 'PUT', `/api/supervision/${id}`, { mode: 'whisper' })).status).toBe(200);
    marks.whisper = Date.now();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    expect((await call(supervisorToken, 'PUT', `/api/supervision/${id}`, { mode: 'barge' })).status).toBe(200);
    marks.barge = Date.now();
    await new Promise((r) => setTimeout(r, PHASE_MS));
    expect((await call(supervisorToken, 'DELETE', `/api/supervision/${id}`)).status).toBe(204);
    marks.left = Date.now();
    await supervisorPhone.waitEvent('CALL_CLOSED', 10_000);
    // The call goes on after the supervisor left.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await eventsOf(callId)).some((e) => e.type === 'call.ended')).toBe(false);
    await taxpayer.hangup();
    await taxpayer.waitEvent('CALL_CLOSED', 10_000);
    await agent.waitEvent('CALL_CLOSED', 10_000);
    const ended = await waitFor('call ended', async () => (await eventsOf(callId)).find((e) => e.type === 'call.ended'));
    expect(ended.body).toMatchObject({ outcome: 'answered', hungUpBy: 'caller' });
    // baresip completes its WAV when the call's audio stops.
    await new Promise((r) => setTimeout(r, 1000));

    const events = (await eventsOf(callId)).filter((e) => e.type.startsWith('supervision.'));
    expect(events.map((e) => [e.type, e.body.mode ?? e.body.to ?? e.body.reason])).toEqual([
      ['supervision.joined', 'listen'],
      ['supervision.mode_changed', 'whisper'],
      ['supervision.mode_changed', 'barge'],
      ['supervision.left', 'left'],
    ]);

    // Seconds into each phone's recording of a phase, trimmed by a second at each end.
    const phase = (t0: number, from: number, to: number): [number, number] => [(from - t0) / 1000 + 1, (to - t0) / 1000 - 1];
    const phases = {
      listen: [marks.listen!, marks.whisper!],
      whisper: [marks.whisper!, marks.barge!],
      barge: [marks.barge!, marks.left!],
    } as const;
    const heard: Record<string, Record<string, number>> = {};
    for (const [name, [from, to]] of Object.entries(phases)) {
      heard[name] = {
        supervisorHearsCaller: await share(supervisorPhone.receivedWav, CALLER_HZ, ...phase(supT0, from, to)),
        supervisorHearsAgent: await share(supervisorPhone.receivedWav, AGENT_HZ, ...phase(supT0, from, to)),
        agentHearsSupervisor: await share(agent.receivedWav, SUPERVISOR_HZ, ...phase(agentT0, from, to)),
        callerHearsSupervisor: await share(taxpayer.receivedWav, SUPERVISOR_HZ, ...phase(callerT0, from, to)),
        agentHearsCaller: await share(agent.receivedWav, CALLER_HZ, ...phase(agentT0, from, to)),
        callerHearsAgent: await share(taxpayer.receivedWav, AGENT_HZ, ...phase(callerT0, from, to)),
      };
    }
    console.log('share of 50 ms windows with the tone present, per mode:', JSON.stringify(heard, null, 1));
    const yes = (x: number | undefined) => expect(x).toBeGreaterThan(0.6);
    const no = (x: number | undefined) => expect(x).toBeLessThan(0.1);
    for (const m of ['listen', 'whisper', 'barge']) {
      // The supervisor hears both parties in every mode, and the call itself is never broken.
      yes(heard[m]!.supervisorHearsCaller);
      yes(heard[m]!.supervisorHearsAgent);
      yes(heard[m]!.agentHearsCaller);
      yes(heard[m]!.callerHearsAgent);
    }
    no(heard.listen!.agentHearsSupervisor);
    no(heard.listen!.callerHearsSupervisor);
    yes(heard.whisper!.agentHearsSupervisor);
    no(heard.whisper!.callerHearsSupervisor);
    yes(heard.barge!.agentHearsSupervisor);
    yes(heard.barge!.callerHearsSupervisor);
    // After the supervisor left, the parties still hear each other and nobody hears the supervisor.
    const after = phase(agentT0, marks.left!, marks.left! + 4000);
    yes(await share(agent.receivedWav, CALLER_HZ, ...after));
    no(await share(agent.receivedWav, SUPERVISOR_HZ, ...after));
  }, 120_000);

  it('a supervisor whose request reaches another instance joins all the same: the instance holding the call runs it', async () => {
    const [agent, supervisorPhone] = phones as [Baresip, Baresip];
    // A second instance on the same Redis and Postgres, with a Stasis app of its own.
    second = await startTestService({ REDIS_PREFIX: rig.prefix, INSTANCE_ID: `sv2-${run}`, ARI_APP: `tax12366-sv2${run}` });
    // Its start put the shipped menu and routing back: this test's again.
    await openMenuAndOther(rig);
    await waitFor('agent free again', async () => (await rig.svc.liveAgents.agent(agentId))?.state === 'available', 20_000);
    const caller = uniqueCaller();
    const taxpayer = await startBaresip({ name: 'taxpayer 2', ip: '127.0.0.2', user: caller, toneHz: CALLER_HZ });
    phones.push(taxpayer);
    const established = agent.events.length;
    await taxpayer.dial(`sip:12366@${SIP_TARGET}`);
    await taxpayer.waitEvent('CALL_ESTABLISHED', 10_000);
    const callId = await waitFor(
      'the call',
      async () => (await rig.pool.query('SELECT call_id FROM calls WHERE caller = $1', [caller])).rows[0]?.call_id,
    );
    await new Promise((r) => setTimeout(r, 800));
    await taxpayer.sendDtmf('0');
    await agent.waitEvent('CALL_ESTABLISHED', 20_000, established);
    await waitFor('bridged', async () => (await eventsOf(callId)).some((e) => e.type === 'call.agent_answered'));
    const holder = rig.svc.calls.holds(callId) ? rig : second;
    const other = holder === rig ? second : rig;
    expect(other.svc.calls.holds(callId)).toBe(false);

    const sup = (method: string, url: string, body?: unknown) => callAs(other, supervisorToken, method, url, body);
    const before = supervisorPhone.events.length;
    const joined = await sup('POST', `/api/calls/${callId}/supervision`, { mode: 'listen', phone: phoneId });
    expect(joined.status, JSON.stringify(joined.body)).toBe(202);
    expect(joined.body.instance).toBe(holder.svc.config.INSTANCE_ID);
    await supervisorPhone.waitEvent('CALL_ESTABLISHED', 15_000, before);
    await waitFor('joined, as seen from the other instance', async () =>
      (await sup('GET', '/api/supervision')).body.items.some(
        (x: { id: string; state: string }) => x.id === joined.body.id && x.state === 'joined',
      ),
    );
    expect((await sup('PUT', `/api/supervision/${joined.body.id}`, { mode: 'whisper' })).status).toBe(200);
    expect((await sup('DELETE', `/api/supervision/${joined.body.id}`)).status).toBe(204);
    await supervisorPhone.waitEvent('CALL_CLOSED', 10_000, before);
    await taxpayer.hangup();
    const types = await waitFor('left', async () => {
      const t = (await eventsOf(callId)).map((e) => e.type);
      return t.includes('supervision.left') && t.includes('call.ended') ? t : undefined;
    });
    expect(types.filter((t) => t.startsWith('supervision.'))).toEqual([
      'supervision.joined',
      'supervision.mode_changed',
      'supervision.left',
    ]);
  }, 90_000);
});
