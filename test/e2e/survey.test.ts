import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRoutingWith } from '../support/ivr.js';
import { freePorts, promptMs } from '../support/rig.js';
import { registerAgent, sipp, type SippRun } from '../support/sipp.js';
import { freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, callRow, eventsOf, streamEventsOf, waitForEvent } from '../support/calls.js';

/**
 * Issue 22: the satisfaction survey, end to end on the real rig. A SIPp taxpayer presses 0 (a
 * person, queue "other"), a SIPp agent answers at once, talks 1.5 s and hangs up (BYE). With the
 * survey on, the caller is NOT hung up: they hear the question, press 1 (RFC 4733 in RTP) and
 * receive our BYE after the thank-you. With it off, the caller gets our BYE at once, as before.
 */
const TALK_MS = 1500;
const rules = (survey: boolean) =>
  shippedRoutingWith([
    {
      queue: 'other',
      strategy: 'longest_idle',
      steps: [{ afterS: 0, skills: 'any' }],
      wrapUpS: 1,
      ringTimeoutS: 10,
      noAnswerPauseAfter: 0,
      survey,
    },
  ]);

let rig: TestRig;
let agentId: string;
const runs: SippRun[] = [];
const played: Array<{ channelId: string; media: string[]; at: number }> = [];

beforeAll(async () => {
  rig = await startTestService();
  await activateIvr(rig, alwaysOpen12366());
  const ari = rig.svc.ari;
  const play = ari.play.bind(ari);
  ari.play = (channelId: string, playbackId: string, media: string[]) => {
    played.push({ channelId, media, at: Date.now() });
    return play(channelId, playbackId, media);
  };
  agentId = await freshAgentId(rig);
  const password = randomPassword();
  await rig.svc.agents.save({ agentId, name: `满意度${agentId}`, password, skills: {}, queues: ['other'] });
  const port = freePorts().sip;
  // Two calls, one per case: answers at once, talks TALK_MS, hangs up.
  runs.push(
    sipp({ scenario: 'agent-talks-then-hangs-up.xml', server: true, sipPort: port, vars: { talk_ms: TALK_MS }, calls: 2, timeoutS: 60 }),
  );
  await registerAgent(agentId, password, port);
  await waitFor(`${agentId} registered`, async () => (await rig.svc.liveAgents.agent(agentId))?.registered);
  await rig.svc.agents.move(agentId, 'login', 'test');
});
afterEach(() => {
  for (const r of runs.splice(1)) r.kill();
});
afterAll(async () => {
  for (const r of runs) r.kill();
  await rig?.stop();
});

/** A taxpayer from the trunk who presses the keys of `pcap` and stays until we hang up; when their SIPp ended. */
function taxpayer(keys: ReturnType<typeof presses>) {
  const caller = uniqueCaller();
  const run = sipp({
    scenario: 'caller-dtmf-waits-for-hangup.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    files: { pcap: dtmfPcap(keys, { audioMs: 6000 }) },
    timeoutS: 30,
  });
  runs.push(run);
  const ended = run.done.then((r) => ({ ...r, at: Date.now() }));
  return { caller, ended };
}

const agentFree = async (): Promise<boolean> => (await rig.svc.liveAgents.agent(agentId))?.state === 'available';

describe('satisfaction survey after the agent hangs up', () => {
  it('survey on: the agent is released at its hang-up, the caller hears the question, presses 1, and then gets our BYE', async () => {
    await activateRouting(rig, rules(true));
    // 0 at once; 1 well after the agent's BYE (about 0.4 + answer + 1.5 s), while the question plays.
    const question = promptMs('zh', 'survey-question');
    const { caller, ended } = taxpayer([...presses('0', 400), ...presses('1', 4500)]);
    const callId = await callIdOf(rig, caller);
    const answered = await waitForEvent(rig, callId, 'call.survey_answered', 15_000);
    const sipp = await ended;
    expect(sipp.code, sipp.errors || sipp.output.slice(-1500)).toBe(0);

    expect(answered).toMatchObject({ type: 'call.survey_answered', callId, agentId, queue: 'other', score: 1, asked: 1 });
    const events = await eventsOf(rig, callId);
    const ended1 = events.filter((e) => e.type === 'call.ended');
    // One call.ended, as without the survey: answered, hung up by the agent, talk up to its BYE.
    expect(ended1).toHaveLength(1);
    expect(ended1[0]).toMatchObject({ outcome: 'answered', hungUpBy: 'agent', agentId });
    expect(Number(ended1[0]!.talkMs)).toBeGreaterThanOrEqual(TALK_MS - 200);
    expect(Number(ended1[0]!.talkMs)).toBeLessThan(TALK_MS + 1500);
    expect(events.some((e) => e.type === 'call.survey_unanswered')).toBe(false);
    expect(await callRow(rig, callId)).toMatchObject({ outcome: 'answered', hung_up_by: 'agent', agent_id: agentId });

    // The agent went to wrap-up at its hang-up, before the caller even answered the survey.
    const endedAt = Date.parse(ended1[0]!.at);
    const r = await rig.pool.query<{ at: Date }>(
      "SELECT at FROM events WHERE agent_id = $1 AND type = 'agent.state_changed' AND body->>'to' = 'wrap_up' AND call_id = $2",
      [agentId, callId],
    );
    expect(r.rows).toHaveLength(1);
    expect(Math.abs(r.rows[0]!.at.getTime() - endedAt)).toBeLessThan(1000);
    expect(r.rows[0]!.at.getTime()).toBeLessThan(Date.parse(answered.at));

    // The question was played after the agent hung up, and our BYE came only after the answer.
    const asked = played.filter((p) => p.media.some((m) => m.includes('survey-question')));
    expect(asked).toHaveLength(1);
    expect(played.some((p) => p.media.some((m) => m.includes('survey-thanks')))).toBe(true);
    expect(sipp.at).toBeGreaterThan(Date.parse(answered.at));
    expect(question).toBeGreaterThan(2000);

    // The same event reached the Redis stream.
    const stream = await waitFor('survey event in the stream', async () =>
      (await streamEventsOf(rig, callId, 'call.survey')).find((e) => e.type === 'call.survey_answered'),
    );
    expect(stream).toMatchObject({ callId, agentId, score: 1 });

    // And the projection the reports read.
    const row = await waitFor(
      'survey_answers row',
      async () => (await rig.pool.query('SELECT * FROM survey_answers WHERE call_id = $1', [callId])).rows[0],
    );
    expect(row).toMatchObject({ agent_id: agentId, queue: 'other', score: 1, reason: null });
    // The reports read it: by agent (this run's agent is new, so its row is this call alone), and the agent's own.
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date(answered.at));
    const rep = await api(rig, 'GET', `/api/reports/survey?from=${day}&to=${day}&by=agent&queue=other`);
    expect(rep.status).toBe(200);
    expect(rep.body.rows.find((x: { key: string }) => x.key === agentId)).toMatchObject({
      offered: 1,
      answered: 1,
      satisfied: 1,
      satisfiedRate: 1,
      satisfactionRate: 1,
    });
    const own = await api(rig, 'GET', `/api/agents/${agentId}/survey?from=${day}`);
    expect(own.body).toMatchObject({ agentId, total: { answered: 1, satisfied: 1 }, rows: [{ key: day, answered: 1 }] });
    expect((await api(rig, 'GET', `/api/reports/survey?from=${day}&to=2000-01-01`)).status).toBe(400);
    await waitFor('agent available again after wrap-up', agentFree, 5000);
  });

  it('survey off: the caller gets our BYE as soon as the agent hangs up, and no survey is recorded', async () => {
    await activateRouting(rig, rules(false));
    await waitFor('agent available', agentFree, 5000);
    const before = played.length;
    const { caller, ended } = taxpayer(presses('0', 400));
    const callId = await callIdOf(rig, caller);
    const end = await waitForEvent(rig, callId, 'call.ended', 15_000);
    const sipp = await ended;
    expect(sipp.code, sipp.errors || sipp.output.slice(-1500)).toBe(0);
    expect(end).toMatchObject({ outcome: 'answered', hungUpBy: 'agent', agentId });
    // The BYE followed the agent's at once (SIPp answers it and exits).
    expect(sipp.at - Date.parse(end.at)).toBeLessThan(1500);
    expect((await eventsOf(rig, callId, 'call.survey')).length).toBe(0);
    expect(played.slice(before).some((p) => p.media.some((m) => m.includes('survey-')))).toBe(false);
  });
});
