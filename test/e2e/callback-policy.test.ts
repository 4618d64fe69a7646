import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PromptSynth } from '../../src/adapters/prompts/synth.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRoutingWith } from '../support/ivr.js';
import { freePorts, promptMs } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { randomPassword, startTestService, freshAgentId, waitFor, type TestRig } from '../support/service.js';
import { callRow, eventsOf, waitForEvent } from '../support/calls.js';

/**
 * Issue 19: the center dials out only numbers its dial policy allows. Callers from the trunk
 * (127.0.0.2) whose numbers may not be dialled press 1 while waiting: they hear why, keep
 * waiting, and the test carrier (127.0.0.2:5070, where callbacks go) sees no INVITE for them;
 * a home-area mobile presses 1 and is called back. All callers call at once.
 */
const RULES = shippedRoutingWith([
  {
    queue: 'ntax-vat',
    strategy: 'longest_idle',
    steps: [{ afterS: 0, skills: { vat: 1 } }],
    wrapUpS: 0,
    ringTimeoutS: 10,
    noAnswerPauseAfter: 0,
    maxWaitS: 120,
  },
]);

/**
 * What each caller id is refused for. The SIP URI one cannot go in a From user as written (":"
 * and "@" end the user part, and the URI would not parse), so it is sent escaped, as a carrier
 * would have to send it (SENT_AS); pjsip unescapes the user part, and whatever number Asterisk
 * presents is found below by elimination: anything but digits is refused as malformed.
 */
const REFUSED: Record<string, string> = {
  '0090123456789': 'international',
  anonymous: 'withheld',
  '1/sip:x@127.0.0.9': 'malformed',
  '+442071234567': 'international',
  '16812345': 'denied_prefix',
};
const MOBILE = '13857112345';
const SENT_AS: Record<string, string> = { '1/sip:x@127.0.0.9': '1%2Fsip%3Ax%40127.0.0.9' };

let rig: TestRig;
const runs: SippRun[] = [];
const played: Array<{ channelId: string; media: string[] }> = [];
beforeAll(async () => {
  rig = await startTestService();
  await activateIvr(rig, alwaysOpen12366());
  await activateRouting(rig, RULES);
  // What the service asks Asterisk to play, per channel: the caller "hears why".
  const ari = rig.svc.ari;
  const play = ari.play.bind(ari);
  ari.play = (channelId: string, playbackId: string, media: string[]) => {
    played.push({ channelId, media });
    return play(channelId, playbackId, media);
  };
});
afterEach(() => {
  for (const r of runs.splice(0)) r.kill();
});
afterAll(async () => {
  await rig?.stop();
});

describe('outbound dial policy: callbacks', () => {
  it('refused numbers hear why, keep waiting and are never dialled; a home-area mobile is called back', async () => {
    const since = new Date();
    // One agent, paused: every caller waits, and the kept place is dialled once it is free.
    const agent = { id: await freshAgentId(rig), password: randomPassword() };
    await rig.svc.agents.save({
      agentId: agent.id,
      name: `坐席${agent.id}`,
      password: agent.password,
      skills: { vat: 5 },
      queues: ['ntax-vat'],
    });
    const port = freePorts().sip;
    runs.push(sipp({ scenario: 'agent-answer.xml', server: true, sipPort: port, vars: { ring_ms: 200 }, calls: 1, timeoutS: 90 }));
    await registerAgent(agent.id, agent.password, port);
    await waitFor(`${agent.id} registered`, async () => (await rig.svc.liveAgents.agent(agent.id))?.registered);
    await rig.svc.agents.move(agent.id, 'login', 'test');
    await rig.svc.agents.move(agent.id, 'pause', 'paperwork', undefined, { pauseReason: 'paperwork' });

    const carrier = sipp({
      scenario: 'taxpayer-answers-callback.xml',
      server: true,
      ip: '127.0.0.2',
      sipPort: 5070,
      vars: { talk_ms: 2000 },
      calls: 1,
      timeoutS: 90,
    });
    runs.push(carrier);
    // 2, 1: national tax, VAT; then 1 while waiting. Refused callers stay on to hear the refusal and hang up.
    const keys = dtmfPcap(presses('21', 500, 400).concat(presses('1', 3500)), { audioMs: 4000 });
    const talkMs = 3500 + promptMs('zh', 'callback-refused') + 3000;
    const refused = Object.keys(REFUSED).map((caller) =>
      sipp({
        scenario: 'caller-dtmf.xml',
        ip: '127.0.0.2',
        keys: { caller: SENT_AS[caller] ?? caller, dialed: '12366' },
        vars: { talk_ms: talkMs },
        files: { pcap: keys },
        timeoutS: 60,
      }),
    );
    const mobile = sipp({
      scenario: 'caller-dtmf-waits-for-hangup.xml',
      ip: '127.0.0.2',
      keys: { caller: MOBILE, dialed: '12366' },
      files: { pcap: keys },
      timeoutS: 60,
    });
    runs.push(...refused, mobile);

    const results = await Promise.all([...refused, mobile].map((r) => r.done));
    for (const r of results) expect(r.code, r.errors || r.output.slice(-1500)).toBe(0);

    // This run's calls (the rig runs one test file at a time), by the number Asterisk presented.
    const calls = await waitFor(
      'six calls ended',
      async () => {
        const r = await rig.pool.query<{ call_id: string; caller: string }>(
          "SELECT call_id, caller FROM calls WHERE started_at >= $1 AND dialed = '12366' AND outcome IS NOT NULL",
          [since],
        );
        return r.rows.length === 6 ? r.rows : undefined;
      },
      20_000,
    );
    const byCaller = new Map(calls.map((c) => [c.caller, c.call_id]));
    const uriCaller = calls.map((c) => c.caller).find((c) => !(c in REFUSED) && c !== MOBILE);
    const expected: Record<string, string> = { ...REFUSED };
    if (uriCaller !== undefined) {
      delete expected['1/sip:x@127.0.0.9'];
      expected[uriCaller] = 'malformed';
    }
    expect(new Set(calls.map((c) => c.caller))).toEqual(new Set([...Object.keys(expected), MOBILE]));

    const refusedPrompt = PromptSynth.media('zh', 'callback-refused');
    for (const [caller, reason] of Object.entries(expected)) {
      const callId = byCaller.get(caller)!;
      const ev = await eventsOf(rig, callId, 'call.');
      expect(
        ev.filter((e) => e.type === 'call.callback_refused'),
        caller,
      ).toEqual([expect.objectContaining({ caller, queue: 'ntax-vat', reason })]);
      expect(
        ev.some((e) => e.type === 'call.callback_requested'),
        caller,
      ).toBe(false);
      // They heard why, and kept waiting until they hung up: an abandon from the queue, not a kept place.
      const channelId = ev.find((e) => e.type === 'call.started')!.channelId as string;
      expect(
        played.filter((p) => p.channelId === channelId).flatMap((p) => p.media),
        caller,
      ).toContain(refusedPrompt);
      expect(await callRow(rig, callId), caller).toMatchObject({ outcome: 'abandoned', queue: 'ntax-vat' });
    }
    const requestId = byCaller.get(MOBILE)!;
    expect(await callRow(rig, requestId)).toMatchObject({ outcome: 'callback_requested', queue: 'ntax-vat' });
    // (/api/callbacks also lists abandoned callers for agents to ring by hand, so the refused ones
    // are on it too: whether they are dialled is told by the carrier and the callback events below.)
    expect((await api(rig, 'GET', '/api/callbacks')).body.map((x: { caller: string }) => x.caller)).toContain(MOBILE);

    // The queue's turn comes: only the mobile's kept place is dialled, and it is connected.
    await rig.svc.agents.move(agent.id, 'unpause', 'test');
    const carried = await carrier.done;
    expect(carried.code, carried.errors || carried.output.slice(-1500)).toBe(0);
    await waitForEvent(rig, requestId, 'callback.attempted');
    const back = await waitFor(
      'the callback call',
      async () =>
        (
          await rig.pool.query(
            "SELECT call_id FROM calls WHERE caller = $1 AND dialed = 'callback' AND started_at >= $2 AND outcome IS NOT NULL",
            [MOBILE, since],
          )
        ).rows[0]?.call_id as string | undefined,
      20_000,
    );
    expect(await callRow(rig, back)).toMatchObject({ outcome: 'answered', agent_id: agent.id, callback_for: requestId });
    // Nothing else went to the carrier: the only outbound events are the mobile's one attempt.
    const outbound = (await rig.pool.query("SELECT body FROM events WHERE type LIKE 'callback.%' AND at >= $1", [since])).rows.map(
      (r) => r.body,
    );
    expect(outbound).toEqual([
      expect.objectContaining({ type: 'callback.attempted', callId: requestId, caller: MOBILE, attempt: 1, result: 'answered' }),
    ]);
    await rig.svc.agents.move(agent.id, 'logout', 'test');
  }, 90_000);
});

describe('outbound dial policy: IVR transfers', () => {
  it('a transfer node whose number may not be dialled is refused at upload, naming the node; an allowed one uploads', async () => {
    const bad = alwaysOpen12366();
    bad.nodes.xfer = { kind: 'transfer', number: '0090123456789' };
    bad.nodes.ntax.options['8'] = 'xfer';
    const r = await api(rig, 'POST', '/api/ivr/versions', bad);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        path: '/nodes/xfer/number',
        nodeId: 'xfer',
        field: 'number',
        message: expect.stringContaining('international'),
      }),
    ]);

    const good = alwaysOpen12366();
    good.nodes.xfer = { kind: 'transfer', number: '057185187424' };
    good.nodes.ntax.options['8'] = 'xfer';
    expect((await api(rig, 'POST', '/api/ivr/versions', good)).status).toBe(201);
  }, 30_000);
});
