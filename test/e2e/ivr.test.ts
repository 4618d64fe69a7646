import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtmfPcap, presses, type DtmfPress } from '../support/dtmf-pcap.js';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRouting, shippedRoutingWith } from '../support/ivr.js';
import { ROOTFS } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { callIdOf, callRow, eventsOf, streamEventsOf, typesOf, waitForEvent } from '../support/calls.js';

let rig: TestRig;
let v1: number;
beforeAll(async () => {
  rig = await startTestService();
  v1 = await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await rig?.stop();
});

/** A taxpayer on the trunk who presses keys on a schedule (ms after answer) and hangs up after talkMs. */
function taxpayer(keys: DtmfPress[], talkMs: number) {
  const caller = uniqueCaller();
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(keys, { audioMs: talkMs }) },
    timeoutS: 60,
  });
  return { caller, run };
}

const visits = async (callId: string) => (await eventsOf(rig, callId, 'ivr.node_visited')).map((e) => [e.nodeId, e.digit ?? null]);

/** Length of the prompt Asterisk plays for one of a definition's prompts. */
async function promptLengthMs(version: number, name: string): Promise<number> {
  const media = rig.svc.ivr.media(await rig.svc.ivr.definition(version), name, 'zh');
  const file = path.join(ROOTFS, 'usr/share/asterisk/sounds', `${media.replace(/^sound:/, '')}.wav`);
  return ((statSync(file).size - 44) / 16000) * 1000;
}

describe('IVR with real SIP calls', () => {
  it('2 then 1 reaches the national-tax VAT queue with its skills; a key during the welcome cuts it short', async () => {
    const { caller, run } = taxpayer(
      [
        { digit: '2', atMs: 600 },
        { digit: '1', atMs: 1000 },
      ],
      3000,
    );
    const callId = await callIdOf(rig, caller);
    expect((await run.done).code).toBe(0);
    await waitForEvent(rig, callId, 'call.ended');

    expect(await visits(callId)).toEqual([
      ['welcome', null],
      ['office-hours', null],
      ['main', null],
      ['ntax', '2'],
      ['ntax.vat', '1'],
    ]);
    const queued = (await eventsOf(rig, callId, 'call.queued'))[0]!;
    expect(queued).toMatchObject({ queue: 'ntax-vat', skills: { vat: 1 }, line: '国税', subLine: '增值税' });
    expect((await eventsOf(rig, callId, 'ivr.left'))[0]).toMatchObject({ nodeId: 'ntax.vat', reason: 'queued', queue: 'ntax-vat' });

    // Barge-in: the main menu began well before the welcome could have finished playing.
    const [started] = await eventsOf(rig, callId, 'call.started');
    const main = (await eventsOf(rig, callId, 'ivr.node_visited')).find((e) => e.nodeId === 'main')!;
    const welcomeMs = await promptLengthMs(v1, 'welcome');
    expect(welcomeMs).toBeGreaterThan(2500);
    expect(Date.parse(main.at) - Date.parse(started!.at)).toBeLessThan(1500);

    // Every IVR event is in the Redis stream too, with the same ids.
    const pg = await eventsOf(rig, callId, 'ivr.');
    await waitFor('ivr events in the stream', async () => (await streamEventsOf(rig, callId, 'ivr.')).length === pg.length);
    expect((await streamEventsOf(rig, callId, 'ivr.')).map((e) => e.id)).toEqual(pg.map((e) => e.id));
  }, 60_000);

  it('an invalid key is reported, the menu asks again, and the caller still gets through', async () => {
    const { caller, run } = taxpayer(presses('7', 600).concat(presses('21', 2500, 400)), 4500);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    expect(await eventsOf(rig, callId, 'ivr.input_failed')).toEqual([
      expect.objectContaining({ nodeId: 'main', reason: 'invalid', digit: '7', attempt: 1 }),
    ]);
    expect((await eventsOf(rig, callId, 'call.queued'))[0]).toMatchObject({ queue: 'ntax-vat' });
  }, 60_000);

  it('silence times out, re-asks, and after the retries goes where the definition says', async () => {
    const version = await activateIvr(rig, {
      name: 'timeouts',
      start: 'menu',
      prompts: { ask: { zh: '请按键。' }, nothing: { zh: '没有收到。' }, bye: { zh: '再见。' } },
      nodes: {
        menu: {
          kind: 'menu',
          prompt: 'ask',
          options: { '1': 'bye' },
          timeoutS: 1,
          retries: 1,
          timeoutPrompt: 'nothing',
          onRetriesExhausted: 'bye',
        },
        bye: { kind: 'hangup', prompt: 'bye' },
      },
    });
    try {
      const caller = uniqueCaller();
      const r = sipp({ scenario: 'caller-waits-for-hangup.xml', ip: '127.0.0.2', keys: { caller, dialed: '12366' }, timeoutS: 40 });
      const callId = await callIdOf(rig, caller);
      expect((await r.done).code).toBe(0);
      await waitForEvent(rig, callId, 'call.ended');
      expect(await typesOf(rig, callId, 'ivr.')).toEqual([
        'ivr.entered',
        'ivr.node_visited',
        'ivr.input_failed',
        'ivr.input_failed',
        'ivr.node_visited',
        'ivr.left',
      ]);
      expect((await eventsOf(rig, callId, 'ivr.input_failed')).map((e) => [e.reason, e.attempt])).toEqual([
        ['timeout', 1],
        ['timeout', 2],
      ]);
      expect((await eventsOf(rig, callId, 'ivr.left'))[0]).toMatchObject({ nodeId: 'bye', reason: 'retries_exhausted' });
      expect(await callRow(rig, callId)).toMatchObject({ outcome: 'ended_in_ivr', hung_up_by: 'system', ivr_version: version });
    } finally {
      await activateIvr(rig, alwaysOpen12366());
    }
  }, 60_000);

  it('a caller who hangs up in a sub-menu is recorded as leaving at that node', async () => {
    const { caller, run } = taxpayer(presses('2', 600), 2500);
    const callId = await callIdOf(rig, caller);
    await run.done;
    await waitForEvent(rig, callId, 'call.ended');
    expect((await eventsOf(rig, callId, 'ivr.left'))[0]).toMatchObject({ nodeId: 'ntax', reason: 'caller_hung_up' });
    expect(await callRow(rig, callId)).toMatchObject({ outcome: 'abandoned', abandoned_at: 'ivr', ivr_node: 'ntax', hung_up_by: 'caller' });
  }, 60_000);

  it('a new version activated while a call is in the IVR: that call finishes on the old tree, the next takes the new one', async () => {
    const before = await api(rig, 'GET', '/api/ivr/active');
    // An IVR version may only send calls to a queue the active routing has: the pilot queue first.
    const vat = shippedRouting().queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
    await activateRouting(rig, shippedRoutingWith([{ ...vat, queue: 'vat-pilot' }]));
    const pilot = alwaysOpen12366();
    pilot.name = 'vat-pilot';
    pilot.nodes['ntax.vat'].queue = 'vat-pilot';

    const first = taxpayer(
      [
        { digit: '2', atMs: 600 },
        { digit: '1', atMs: 5000 },
      ],
      6500,
    );
    const firstId = await callIdOf(rig, first.caller);
    await waitFor('first caller in the national-tax menu', async () => (await visits(firstId)).some(([n]) => n === 'ntax'));
    const pilotVersion = await activateIvr(rig, pilot);
    expect(pilotVersion).not.toBe(before.body.version);

    const second = taxpayer(presses('21', 600, 400), 3000);
    const secondId = await callIdOf(rig, second.caller);
    await Promise.all([first.run.done, second.run.done]);
    await waitForEvent(rig, firstId, 'call.ended');
    await waitForEvent(rig, secondId, 'call.ended');
    expect((await eventsOf(rig, firstId, 'call.queued'))[0]).toMatchObject({ queue: 'ntax-vat' });
    expect((await eventsOf(rig, secondId, 'call.queued'))[0]).toMatchObject({ queue: 'vat-pilot' });
    expect((await callRow(rig, firstId)).ivr_version).toBe(before.body.version);
    expect((await callRow(rig, secondId)).ivr_version).toBe(pilotVersion);

    // Roll back: the version before the pilot is active again.
    const rb = await api(rig, 'POST', '/api/ivr/rollback');
    expect(rb).toMatchObject({ status: 200, body: { active: before.body.version } });
  }, 60_000);
});

describe('IVR outside office hours', () => {
  it('plays the closed message and takes a voicemail for a callback', async () => {
    const closed = alwaysOpen12366();
    closed.nodes['office-hours'].weekly = {};
    const version = await activateIvr(rig, closed);
    try {
      const talkMs = 1500 + (await promptLengthMs(version, 'leave-message')) + 3000;
      // '#' cuts the welcome, a second '#' the closed-hours announcement; the message prompt is always heard.
      const { caller, run } = taxpayer(presses('##', 500, 1000), talkMs);
      const callId = await callIdOf(rig, caller);
      expect((await run.done).code).toBe(0);
      await waitForEvent(rig, callId, 'call.ended');
      expect(await visits(callId)).toEqual([
        ['welcome', null],
        ['office-hours', null],
        ['after-hours', null],
        ['callback', null],
      ]);
      const vm = (await eventsOf(rig, callId, 'call.voicemail_left'))[0]!;
      expect(vm).toMatchObject({ queue: 'other', recording: `vm-${callId}` });
      expect(vm.durationS as number).toBeGreaterThanOrEqual(1);
      expect(await callRow(rig, callId)).toMatchObject({ outcome: 'voicemail', hung_up_by: 'caller' });
      const file = path.join(ROOTFS, 'var/spool/asterisk/recording', `vm-${callId}.wav`);
      expect(statSync(file).size).toBeGreaterThan(8000);
    } finally {
      await activateIvr(rig, alwaysOpen12366());
    }
  }, 60_000);
});

describe('IVR ops API', () => {
  it('rejects a broken definition naming node and field, and leaves the active version and the list unchanged', async () => {
    const active = (await api(rig, 'GET', '/api/ivr/active')).body.version;
    const count = (await api(rig, 'GET', '/api/ivr/versions')).body.length;

    const broken = alwaysOpen12366();
    broken.nodes.ntax.options['5'] = 'vat2';
    broken.nodes.finance.prompt = 'x';
    const r = await api(rig, 'POST', '/api/ivr/versions', broken);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('/nodes/finance') })]));

    const badRef = alwaysOpen12366();
    badRef.nodes.ntax.options['5'] = 'vat2';
    const r2 = await api(rig, 'POST', '/api/ivr/versions', badRef);
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([
      expect.objectContaining({
        path: '/nodes/ntax/options/5',
        nodeId: 'ntax',
        field: 'options/5',
        message: expect.stringContaining('vat2'),
      }),
    ]);

    const missingPrompt = alwaysOpen12366();
    missingPrompt.nodes.main.prompt = 'no-such-prompt';
    const r3 = await api(rig, 'POST', '/api/ivr/versions', missingPrompt);
    expect(r3.status).toBe(422);
    expect(r3.body.errors[0]).toMatchObject({ nodeId: 'main', field: 'prompt' });

    const silent = alwaysOpen12366();
    silent.prompts.welcome.zh = '   ';
    const r4 = await api(rig, 'POST', '/api/ivr/versions', silent);
    expect(r4.status).toBe(422);
    expect(r4.body.errors[0]).toMatchObject({ path: '/prompts/welcome/zh' });

    const yaml = await api(rig, 'POST', '/api/ivr/versions', 'name: x\nnodes:\n  a: [unclosed\n', 'application/yaml');
    expect(yaml.status).toBe(400);
    expect(yaml.body.error).toMatch(/line \d+/);

    expect((await api(rig, 'GET', '/api/ivr/active')).body.version).toBe(active);
    expect((await api(rig, 'GET', '/api/ivr/versions')).body.length).toBe(count);
  });

  it('needs the token', async () => {
    const r = await fetch(`${rig.svc.url}/api/ivr/versions`);
    expect(r.status).toBe(401);
  });
});
