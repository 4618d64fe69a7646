import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StuckAgents } from '../../src/features/agents/stuck-agents.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRoutingWith } from '../support/ivr.js';
import { freePorts, promptMs } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { randomPassword, startTestService, freshAgentId, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, callRow, eventsOf, waitForEvent, type StoredEvent } from '../support/calls.js';

/**
 * Short times so escalation, ring timeouts and wrap-up happen within a test. The shipped tree's
 * other queues keep their shipped rules: the active IVR must find every queue it sends to.
 */
const RULES = shippedRoutingWith([
  {
    queue: 'ntax-vat',
    strategy: 'longest_idle',
    preferredAgentS: 6,
    steps: [
      { afterS: 0, skills: { vat: 4 } },
      { afterS: 4, skills: { vat: 2 } },
    ],
    wrapUpS: 3,
    ringTimeoutS: 4,
    noAnswerPauseAfter: 1,
    maxWaitS: 120,
  },
  // Nobody waits long here: after 3 s the caller hears the closing message.
  {
    queue: 'other',
    strategy: 'longest_idle',
    steps: [{ afterS: 0, skills: 'any' }],
    wrapUpS: 0,
    ringTimeoutS: 10,
    noAnswerPauseAfter: 0,
    maxWaitS: 3,
  },
  // No agent serves finance in these tests: its callers are offered a message at once.
  {
    queue: 'finance',
    strategy: 'longest_idle',
    steps: [{ afterS: 0, skills: 'any' }],
    onExpiry: { afterS: 60, action: 'voicemail' },
    wrapUpS: 0,
    ringTimeoutS: 10,
    noAnswerPauseAfter: 0,
  },
]);

let rig: TestRig;
const phones: SippRun[] = [];
beforeAll(async () => {
  rig = await startTestService();
  await activateIvr(rig, alwaysOpen12366());
  await activateRouting(rig, RULES);
});
afterEach(() => {
  for (const p of phones.splice(0)) p.kill();
});
afterAll(async () => {
  await rig?.stop();
});

interface TestAgent {
  id: string;
  password: string;
}

/** An agent with a VAT proficiency, logged in, whose SIPp phone answers (or only rings). */
async function agent(vat: number, phone: 'answers' | 'rings' | 'none' = 'answers', calls = 3): Promise<TestAgent> {
  const a = { id: await freshAgentId(rig), password: randomPassword() };
  await rig.svc.agents.save({ agentId: a.id, name: `坐席${a.id}`, password: a.password, skills: { vat }, queues: ['ntax-vat'] });
  if (phone !== 'none') await attachPhone(a, phone, calls);
  await rig.svc.agents.move(a.id, 'login', 'test');
  return a;
}

async function attachPhone(a: TestAgent, phone: 'answers' | 'rings', calls = 3): Promise<void> {
  const port = freePorts().sip;
  phones.push(
    phone === 'answers'
      ? sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls, timeoutS: 90 })
      : sipp({ scenario: 'agent-ring-only.xml', server: true, sipPort: port, calls, timeoutS: 90 }),
  );
  await registerAgent(a.id, a.password, port);
  await waitFor(`${a.id} registered`, async () => (await rig.svc.liveAgents.agent(a.id))?.registered);
}

/** A taxpayer who presses 2, 1 (national tax, VAT) during the welcome and hangs up after talkMs. */
function vatCaller(talkMs: number, caller = uniqueCaller()) {
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses('21', 500, 400), { audioMs: talkMs }) },
    timeoutS: 90,
  });
  return { caller, run };
}

const ofType = (events: StoredEvent[], type: string) => events.filter((e) => e.type === type);
const ms = (e: StoredEvent | undefined) => Date.parse(e!.at);

async function logout(...agents: TestAgent[]) {
  for (const a of agents) {
    await rig.svc.agents.move(a.id, 'endWrapUp', 'test');
    await rig.svc.agents.move(a.id, 'unpause', 'test');
    await rig.svc.agents.move(a.id, 'logout', 'test');
  }
}

describe('ACD: skill-based routing to SIPp agents through real Asterisk', () => {
  it('offers a VAT call to the agent who meets the first step, not the less skilled one', async () => {
    const expert = await agent(5);
    const novice = await agent(2);
    const { caller, run } = vatCaller(5000);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    expect(ofType(ev, 'call.agent_offered').map((e) => e.agentId)).toEqual([expert.id]);
    expect(await callRow(rig, callId)).toMatchObject({ outcome: 'answered', agent_id: expert.id, queue: 'ntax-vat' });
    await logout(expert, novice);
  }, 60_000);

  it('widens to the next step after its wait, and not before', async () => {
    const novice = await agent(2);
    const { caller, run } = vatCaller(9000);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    const waited = ms(ofType(ev, 'call.agent_offered')[0]) - ms(ofType(ev, 'call.queued')[0]);
    expect(waited).toBeGreaterThanOrEqual(3900);
    expect(waited).toBeLessThan(5500);
    expect(ofType(ev, 'call.agent_offered')[0]!.agentId).toBe(novice.id);
    await logout(novice);
  }, 60_000);

  it('ring-no-answer moves the call to the next agent and pauses the silent one with reason no_answer', async () => {
    const silent = await agent(5, 'rings');
    const backup = await agent(3);
    const { caller, run } = vatCaller(14_000);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    expect(ofType(ev, 'call.agent_offered').map((e) => e.agentId)).toEqual([silent.id, backup.id]);
    expect(ofType(ev, 'call.agent_missed')[0]).toMatchObject({ agentId: silent.id, reason: 'no_answer' });
    expect(ofType(ev, 'call.agent_answered')[0]).toMatchObject({ agentId: backup.id });
    expect(await rig.svc.liveAgents.agent(silent.id)).toMatchObject({ state: 'paused', pauseReason: 'no_answer' });
    const paused = (
      await rig.pool.query("SELECT body FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' AND body->>'to' = 'paused'", [
        silent.id,
      ])
    ).rows.map((r) => r.body);
    expect(paused).toEqual([expect.objectContaining({ from: 'reserved', reason: 'no_answer', callId })]);
    await logout(silent, backup);
  }, 60_000);

  it('wrap-up delays the next offer to that agent', async () => {
    const only = await agent(5);
    const first = vatCaller(3500);
    const firstId = await callIdOf(rig, first.caller);
    await first.run.done;
    const ended = await waitForEvent(rig, firstId, 'call.ended');
    expect((await rig.svc.liveAgents.agent(only.id))?.state).toBe('wrap_up');
    const second = vatCaller(9000);
    const secondId = await callIdOf(rig, second.caller);
    await second.run.done;
    await waitForEvent(rig, secondId, 'call.ended');
    const offered = ofType(await eventsOf(rig, secondId, 'call.'), 'call.agent_offered')[0];
    expect(offered?.agentId).toBe(only.id);
    // Wrap-up is 3 s after the first call ended.
    expect(ms(offered) - ms(ended)).toBeGreaterThanOrEqual(2900);
    await logout(only);
  }, 60_000);

  it('a paused agent gets nothing; the abandon in queue is recorded with its position, wait and IVR path', async () => {
    const a = await agent(5);
    expect(await rig.svc.agents.move(a.id, 'pause', 'training', undefined, { pauseReason: 'training' })).toBe(true);
    const { caller, run } = vatCaller(7000);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    expect(ofType(ev, 'call.agent_offered')).toEqual([]);
    const row = await callRow(rig, callId);
    expect(row).toMatchObject({
      outcome: 'abandoned',
      abandoned_at: 'queue',
      queue: 'ntax-vat',
      line: '国税',
      sub_line: '增值税',
      short_abandon: false,
      position_at_entry: 1,
      position_at_abandon: 1,
      hung_up_by: 'caller',
    });
    expect(row.wait_ms).toBeGreaterThan(5000);
    expect(row.ivr_path).toEqual(['welcome', 'office-hours', 'main', '2:ntax', '1:ntax.vat']);
    await logout(a);
  }, 60_000);

  it('a caller who hangs up within the short-abandon threshold is flagged short', async () => {
    const a = await agent(5);
    await rig.svc.agents.move(a.id, 'pause', 'meeting', undefined, { pauseReason: 'meeting' });
    const { caller, run } = vatCaller(3000);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    expect(await callRow(rig, callId)).toMatchObject({ outcome: 'abandoned', abandoned_at: 'queue', short_abandon: true });
    await logout(a);
  }, 60_000);

  it('a returning caller is first offered to the agent who handled them last', async () => {
    const last = await agent(4);
    const other = await agent(5);
    await rig.svc.agents.move(other.id, 'pause', 'break', undefined, { pauseReason: 'break' });
    const first = vatCaller(3500);
    const firstId = await callIdOf(rig, first.caller);
    await first.run.done;
    await waitForEvent(rig, firstId, 'call.ended');
    expect((await callRow(rig, firstId)).agent_id).toBe(last.id);

    // The other agent is now idle longest and more skilled; the returning caller still goes to `last`.
    await rig.svc.agents.move(other.id, 'unpause', 'test');
    await new Promise((r) => setTimeout(r, 300));
    await rig.svc.agents.move(last.id, 'endWrapUp', 'test');
    const again = vatCaller(3500, first.caller);
    const againId = await waitFor('second call', async () => {
      const r = await rig.pool.query<{ call_id: string }>('SELECT call_id FROM calls WHERE caller = $1 AND call_id <> $2', [
        first.caller,
        firstId,
      ]);
      return r.rows[0]?.call_id;
    });
    await again.run.done;
    await waitForEvent(rig, againId, 'call.ended');
    const ev = await eventsOf(rig, againId, 'call.');
    expect(ofType(ev, 'call.queued')[0]).toMatchObject({ preferredAgentId: last.id });
    expect(ofType(ev, 'call.agent_offered').map((e) => e.agentId)).toEqual([last.id]);
    await logout(last, other);
  }, 60_000);

  it("an agent left on a call by a lost hangup is found against Asterisk's channels, freed, and the repair recorded", async () => {
    const a = await agent(5, 'none');
    // A reservation and an answer for a call Asterisk never had: as if the BYE was lost.
    await rig.svc.liveAgents.setRegistered(a.id, true, Date.now());
    await rig.svc.queues.enqueue(
      {
        callId: 'ghost',
        queue: 'ntax-vat',
        skills: {},
        priority: 0,
        enqueuedAt: Date.now(),
        caller: 'x',
        excludedAgents: [],
        owner: 'nobody',
      },
      1,
    );
    expect(await rig.svc.queues.claim('ntax-vat', 'ghost', a.id, Date.now())).toBe(true);
    expect(await rig.svc.agents.move(a.id, 'answer', undefined, 'ghost')).toBe(true);
    const repair = new StuckAgents({
      ari: rig.svc.ari,
      liveAgents: rig.svc.liveAgents,
      agents: rig.svc.agents,
      holdsCall: () => false,
      now: () => Date.now(),
      log: pino({ level: 'silent' }),
      graceMs: 0,
    });
    expect(await repair.repair()).toEqual([a.id]);
    expect((await rig.svc.liveAgents.agent(a.id))?.state).toBe('available');
    const ev = await waitFor(
      'the repair event',
      async () =>
        (
          await rig.pool.query(
            "SELECT body FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' AND body->>'reason' = 'repaired_no_channel'",
            [a.id],
          )
        ).rows[0]?.body,
    );
    expect(ev).toMatchObject({ from: 'on_call', to: 'available', reason: 'repaired_no_channel', callId: 'ghost', via: 'system' });
    await rig.svc.liveAgents.setRegistered(a.id, false, Date.now());
    await logout(a);
  });

  it("pressing 1 keeps the caller's place; when its turn comes the service calls them back and connects them", async () => {
    const a = await agent(5);
    await rig.svc.agents.move(a.id, 'pause', 'paperwork', undefined, { pauseReason: 'paperwork' });
    const carrier = sipp({
      scenario: 'taxpayer-answers-callback.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { talk_ms: 3000 },
      calls: 1,
      timeoutS: 90,
    });
    phones.push(carrier);
    const caller = uniqueCaller();
    const asked = sipp({
      scenario: 'caller-dtmf-waits-for-hangup.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      files: { pcap: dtmfPcap(presses('21', 500, 400).concat(presses('1', 3500)), { audioMs: 4000 }) },
      timeoutS: 60,
    });
    const requestId = await callIdOf(rig, caller);
    expect((await asked.done).code).toBe(0);
    await waitForEvent(rig, requestId, 'call.ended');
    expect(await callRow(rig, requestId)).toMatchObject({ outcome: 'callback_requested', queue: 'ntax-vat' });
    expect((await api(rig, 'GET', '/api/callbacks')).body.map((x: { caller: string }) => x.caller)).toContain(caller);

    // An agent becomes free: the kept place is dialled, the taxpayer answers and is connected.
    await rig.svc.agents.move(a.id, 'unpause', 'test');
    const carried = await carrier.done;
    expect(carried.code, carried.errors || carried.output.slice(-1500)).toBe(0);
    const back = await waitFor(
      'the callback call',
      async () =>
        (await rig.pool.query("SELECT call_id FROM calls WHERE caller = $1 AND dialed = 'callback' AND outcome IS NOT NULL", [caller]))
          .rows[0]?.call_id as string | undefined,
      20_000,
    );
    expect(await callRow(rig, back)).toMatchObject({ outcome: 'answered', agent_id: a.id, callback_for: requestId });
    const attempts = (
      await rig.pool.query("SELECT body FROM events WHERE call_id = $1 AND type = 'callback.attempted'", [requestId])
    ).rows.map((r) => r.body);
    expect(attempts).toEqual([expect.objectContaining({ attempt: 1, result: 'answered', caller })]);
    // Reached an agent: off the list of callers to call back.
    expect((await api(rig, 'GET', '/api/callbacks')).body.map((x: { caller: string }) => x.caller)).not.toContain(caller);
    await logout(a);
  }, 90_000);

  it('maximum wait reached: the closing message, then the call ends as rejected by that rule', async () => {
    const a = await agent(5, 'answers');
    await rig.svc.agents.save({ agentId: a.id, name: 'x', skills: { vat: 5 }, queues: ['other'] });
    await rig.svc.agents.move(a.id, 'pause', 'break', undefined, { pauseReason: 'break' });
    const caller = uniqueCaller();
    const r = sipp({
      scenario: 'caller-dtmf-waits-for-hangup.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      files: { pcap: dtmfPcap(presses('0', 400), { audioMs: 2000 }) },
      timeoutS: 60,
    });
    const callId = await callIdOf(rig, caller);
    expect((await r.done).code).toBe(0);
    await waitForEvent(rig, callId, 'call.ended');
    const row = await callRow(rig, callId);
    expect(row).toMatchObject({ outcome: 'rejected', end_reason: 'max_wait', hung_up_by: 'system', queue: 'other' });
    expect(row.wait_ms).toBeGreaterThanOrEqual(3000);
    await logout(a);
  }, 60_000);

  it("no agent serving the queue is logged in: the queue's rule applies at once (a message for a callback)", async () => {
    // Long enough to hear the message prompt and leave a few seconds of message.
    const talkMs = promptMs('zh', 'leave-message') + 4000;
    const caller = uniqueCaller();
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: talkMs },
      files: { pcap: dtmfPcap(presses('1', 400), { audioMs: talkMs }) },
      timeoutS: 60,
    });
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    expect(ofType(ev, 'call.queued')[0]).toMatchObject({ queue: 'finance' });
    const queuedAt = ms(ofType(ev, 'call.queued')[0]);
    // Straight to the message prompt, then recording until the caller hangs up.
    expect(ofType(ev, 'call.voicemail_left')[0]).toMatchObject({ queue: 'finance' });
    expect(ms(ofType(ev, 'call.ended')[0]) - queuedAt).toBeLessThan(talkMs);
    expect(await callRow(rig, callId)).toMatchObject({ outcome: 'voicemail' });
  }, 60_000);

  it('the simulator says who would get a call, and a real call then does exactly that', async () => {
    const expert = await agent(5);
    const novice = await agent(2);
    const caller = uniqueCaller();
    const sim = await api(rig, 'POST', '/api/simulate', { caller, digits: '21' });
    expect(sim.status, JSON.stringify(sim.body)).toBe(200);
    expect(sim.body.outcome).toMatchObject({ kind: 'queue', queue: 'ntax-vat', skills: { vat: 1 } });
    expect(sim.body.steps[0]).toMatchObject({ afterS: 0, required: { vat: 4 }, wouldGet: expert.id });
    expect(sim.body.steps[0].eligible).toEqual([expert.id]);
    expect(sim.body.steps[1].eligible).toEqual(expect.arrayContaining([expert.id, novice.id]));

    const { run } = vatCaller(4000, caller);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    const ev = await eventsOf(rig, callId, 'call.');
    expect(ofType(ev, 'call.queued')[0]).toMatchObject({ queue: sim.body.outcome.queue, skills: sim.body.outcome.skills });
    expect(ofType(ev, 'call.agent_offered').map((e) => e.agentId)).toEqual([sim.body.steps[0].wouldGet]);
    const bad = await api(rig, 'POST', '/api/simulate', { caller: 'x', digits: '2a' });
    expect(bad.status).toBe(400);
    await logout(expert, novice);
  }, 60_000);
});
