import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sipp, registerAgent } from '../support/sipp.js';
import { freePorts } from '../support/rig.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { randomPassword, startTestService, freshAgentId, uniqueCaller, waitFor, type TestRig } from '../support/service.js';

let rig: TestRig;
let agentId: string;
let password: string;
beforeAll(async () => {
  rig = await startTestService();
  agentId = await freshAgentId(rig);
  password = randomPassword();
  await rig.svc.agents.save({ agentId, name: `坐席${agentId}`, password, skills: {}, queues: ['other'] });
  await rig.svc.agents.move(agentId, 'login', 'test');
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await rig?.stop();
});

async function eventsOf(callId: string): Promise<string[]> {
  const r = await rig.pool.query<{ type: string }>("SELECT type FROM events WHERE call_id = $1 AND type LIKE 'call.%' ORDER BY seq", [
    callId,
  ]);
  return r.rows.map((x) => x.type);
}

async function streamEventsOf(callId: string): Promise<Array<{ type: string; id: string }>> {
  const entries = await rig.redis.xrange(`${rig.prefix}:events`, '-', '+');
  return entries
    .map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])))
    .filter((f) => f.callId === callId && f.type!.startsWith('call.'))
    .map((f) => ({ type: f.type!, id: f.id! }));
}

async function callIdOf(caller: string): Promise<string> {
  return waitFor(`a call from ${caller}`, async () => {
    const r = await rig.pool.query<{ call_id: string }>('SELECT call_id FROM calls WHERE caller = $1', [caller]);
    return r.rows[0]?.call_id;
  });
}

/** Packets Asterisk received on one channel's RTP stream (chan_pjsip's CHANNEL(rtcp,...)). */
async function rtpReceived(channelId: string): Promise<number> {
  const v = await rig.svc.ari.getVar(channelId, 'CHANNEL(rtcp,rxcount)');
  return Number(v.value);
}

describe('first taxpayer call, end to end through real Asterisk', () => {
  it('answers, runs the IVR, rings the logged-in agent, bridges with audio both ways, and records the call', async () => {
    const phone = freePorts().sip;
    const agentPhone = sipp({ scenario: 'agent-answer.xml', server: true, sipPort: phone, vars: { ring_ms: 300 }, timeoutS: 60 });
    await registerAgent(agentId, password, phone);
    await waitFor('agent registered and available', async () => {
      const a = await rig.svc.liveAgents.agent(agentId);
      return a?.registered && a.state === 'available';
    });

    const caller = uniqueCaller();
    // The caller presses 0 (a person) during the welcome, and sends audio throughout.
    const taxpayer = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 7000 },
      files: { pcap: dtmfPcap(presses('0', 500), { audioMs: 7000 }) },
      timeoutS: 60,
    });
    const callId = await callIdOf(caller);

    await waitFor('agent answered', async () => (await eventsOf(callId)).includes('call.agent_answered'), 30000);
    const offered = await rig.pool.query<{ body: { channelId: string } }>(
      "SELECT body FROM events WHERE call_id = $1 AND type IN ('call.started', 'call.agent_offered') ORDER BY seq",
      [callId],
    );
    const [callerChannel, agentChannel] = offered.rows.map((r) => r.body.channelId) as [string, string];
    // Two seconds into the conversation, Asterisk has RTP from both phones: audio flows both ways through the bridge.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rtpReceived(callerChannel)).toBeGreaterThan(50);
    expect(await rtpReceived(agentChannel)).toBeGreaterThan(50);

    const [t, a] = await Promise.all([taxpayer.done, agentPhone.done]);
    expect(t.code, `caller SIPp: ${t.errors}`).toBe(0);
    expect(a.code, `agent SIPp: ${a.errors}`).toBe(0);

    const expected = ['call.started', 'call.queued', 'call.agent_offered', 'call.agent_answered', 'call.ended'];
    await waitFor('call.ended stored', async () => (await eventsOf(callId)).includes('call.ended'));
    expect(await eventsOf(callId)).toEqual(expected);
    await waitFor('events in the Redis stream', async () => (await streamEventsOf(callId)).length === expected.length);
    const stream = await streamEventsOf(callId);
    expect(stream.map((e) => e.type)).toEqual(expected);
    expect(new Set(stream.map((e) => e.id)).size).toBe(expected.length);

    const row = (await rig.pool.query('SELECT * FROM calls WHERE call_id = $1', [callId])).rows[0];
    expect(row).toMatchObject({ outcome: 'answered', hung_up_by: 'caller', agent_id: agentId, abandoned_at: null });
    expect(row.talk_ms).toBeGreaterThan(1500);
    // After the call the agent is in wrap-up (the 'other' queue's 20 s), then ends it early.
    const after = await waitFor('agent in wrap-up', () =>
      rig.svc.liveAgents.agent(agentId).then((a) => (a?.state === 'wrap_up' ? a : undefined)),
    );
    expect(after.wrapUntil! - Date.parse(row.ended_at)).toBeGreaterThan(15_000);
    expect(await rig.svc.agents.move(agentId, 'endWrapUp', 'test')).toBe(true);
  }, 90_000);

  it('records a caller who hangs up while the agent phone rings as abandoned while ringing', async () => {
    const phone = freePorts().sip;
    const agentPhone = sipp({ scenario: 'agent-ring-only.xml', server: true, sipPort: phone, timeoutS: 60 });
    await registerAgent(agentId, password, phone);
    await waitFor('agent available', async () => {
      const a = await rig.svc.liveAgents.agent(agentId);
      return a?.registered && a.state === 'available';
    });
    const caller = uniqueCaller();
    // 0 during the welcome reaches a person at once; hanging up 3 s later, the agent's phone is still ringing (15 s).
    const taxpayer = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 3000 },
      files: { pcap: dtmfPcap(presses('0', 300)) },
      timeoutS: 60,
    });
    const callId = await callIdOf(caller);
    await taxpayer.done.catch(() => undefined);
    await waitFor('call.ended stored', async () => (await eventsOf(callId)).includes('call.ended'), 20000);
    expect(await eventsOf(callId)).toEqual(['call.started', 'call.queued', 'call.agent_offered', 'call.ended']);
    const row = (await rig.pool.query('SELECT * FROM calls WHERE call_id = $1', [callId])).rows[0];
    expect(row).toMatchObject({ outcome: 'abandoned', abandoned_at: 'ringing', hung_up_by: 'caller', agent_id: agentId });
    const a = await agentPhone.done;
    expect(a.code, `agent SIPp: ${a.errors}`).toBe(0);
    await waitFor('agent available again', async () => (await rig.svc.liveAgents.agent(agentId))?.state === 'available');
  }, 90_000);
});
