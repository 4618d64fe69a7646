/**
 * The audio test tools (tone-pcap.ts, audio-measure.ts, baresip.ts) proven against the real rig
 * before issue 23's recording and supervision tests lean on them: the measurement's thresholds on
 * known audio, then real calls through Asterisk and the service with a tone each way.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMINANCE_DB, PRESENT_FLOOR_DB, formatToneReport, hasTone, toneReport, toneSpans, wavFile } from '../support/audio-measure.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { callIdOf, callRow, waitForEvent } from '../support/calls.js';
import { activateIvr, alwaysOpen12366 } from '../support/ivr.js';
import { ROOTFS, SIP_TARGET } from '../support/rig.js';
import { freshAgentId, randomPassword, startTestService, uniqueCaller, waitFor, type TestRig } from '../support/service.js';
import { registerAgent, toneAgentPhone, toneCaller } from '../support/sipp.js';
import { decodeRtpAudio, tonePcap } from '../support/tone-pcap.js';

const HZ_1K = 1000;
const HZ_440 = 440;
const HZ_1500 = 1500;

let rig: TestRig;
let agentId: string;
let password: string;
const phones: Baresip[] = [];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tax12366-audio-'));

beforeAll(async () => {
  rig = await startTestService();
  agentId = await freshAgentId(rig);
  password = randomPassword();
  await rig.svc.agents.save({ agentId, name: `坐席${agentId}`, password, skills: {}, queues: ['other'] });
  await rig.svc.agents.move(agentId, 'login', 'test');
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  await rig?.stop();
});

async function phone(o: Parameters<typeof startBaresip>[0]): Promise<Baresip> {
  const p = await startBaresip(o);
  phones.push(p);
  return p;
}

function wav(name: string, samples: Int16Array): string {
  const f = path.join(tmp, `${name}.wav`);
  writeFileSync(f, wavFile(samples));
  return f;
}

async function agentAvailable(): Promise<void> {
  await waitFor('agent registered and available', async () => {
    const a = await rig.svc.liveAgents.agent(agentId);
    return a?.registered && a.state === 'available';
  });
}

async function agentFreeAgain(): Promise<void> {
  await waitFor('agent out of the call', async () => (await rig.svc.liveAgents.agent(agentId))?.state === 'wrap_up', 20_000);
  expect(await rig.svc.agents.move(agentId, 'endWrapUp', 'test')).toBe(true);
}

describe('audio measurement (sox in the rig) on known audio', () => {
  it('tells a tone from its absence by a wide margin, in a mix, in G.711, and not in speech', async () => {
    // Through G.711 as the pcaps carry them: 3 s of each tone, and the two mixed (each at -6 dB in the sum).
    const caller = decodeRtpAudio(tonePcap({ hz: HZ_1K, durationMs: 3000 }));
    const agent = decodeRtpAudio(tonePcap({ hz: HZ_440, durationMs: 3000 }));
    const mix = caller.map((s, i) => (s + agent[i]!) / 2);
    // 1 s of silence, 1 s of tone, 1 s of silence: the span must be where the tone is.
    const gap = decodeRtpAudio(tonePcap({ hz: HZ_440, durationMs: 3000, fromMs: 1000, toMs: 2000 }));
    const speech = path.join(ROOTFS, 'usr/share/asterisk/sounds/tax12366/zh/leave-message.wav');
    const files = { caller: wav('caller', caller), agent: wav('agent', agent), mix: wav('mix', mix), gap: wav('gap', gap), speech };

    const reports = Object.fromEntries(
      await Promise.all(Object.entries(files).map(async ([k, f]) => [k, await toneReport(f, [HZ_1K, HZ_440, HZ_1500])] as const)),
    );
    for (const [k, r] of Object.entries(reports)) console.log(formatToneReport(k, r));
    const tone = (k: string, hz: number) => reports[k]!.tones.find((t) => t.hz === hz)!;

    // Present: the whole length, well above the floor.
    expect(tone('caller', HZ_1K).presentS).toBeCloseTo(3, 1);
    expect(tone('agent', HZ_440).presentS).toBeCloseTo(3, 1);
    expect(tone('mix', HZ_1K).presentS).toBeCloseTo(3, 1);
    expect(tone('mix', HZ_440).presentS).toBeCloseTo(3, 1);
    for (const [k, hz] of [
      ['caller', HZ_1K],
      ['agent', HZ_440],
      ['mix', HZ_1K],
      ['mix', HZ_440],
    ] as const) {
      expect(tone(k, hz).presentDb!).toBeGreaterThan(PRESENT_FLOOR_DB + 15);
    }
    // Absent: judged absent, with no window within 10 dB of the floor, 30 dB below the tones present.
    // (G.711's own distortion puts a tone's harmonics near -55 dBFS: 1 kHz makes some 2 kHz. A third
    // party's tone should be no harmonic of the others: 1500 Hz beside 1 kHz and 440 Hz.)
    for (const [k, hz] of [
      ['caller', HZ_440],
      ['caller', HZ_1500],
      ['agent', HZ_1K],
      ['agent', HZ_1500],
      ['mix', HZ_1500],
      ['gap', HZ_1K],
    ] as const) {
      expect(tone(k, hz).presentS).toBe(0);
      expect(tone(k, hz).loudestAbsentDb).toBeLessThan(PRESENT_FLOOR_DB - 10);
      expect(tone(k, hz).loudestAbsentDb).toBeLessThan(tone('mix', HZ_1K).presentDb! - 30);
    }
    // Where the tone is: 1.0-2.0 s, to the window.
    expect(tone('gap', HZ_440).spans).toEqual([{ fromS: 1, toS: 2 }]);
    // Speech has windows loud enough in either band (a voice's harmonics): only the dominance and
    // steadiness rules keep it from passing for a tone.
    expect(reports.speech!.durationS).toBeGreaterThan(1.5);
    expect(Math.max(tone('speech', HZ_1K).loudestAbsentDb, tone('speech', HZ_440).loudestAbsentDb)).toBeGreaterThan(PRESENT_FLOOR_DB);
    for (const hz of [HZ_1K, HZ_440, HZ_1500]) expect(await hasTone(speech, hz)).toBe(false);
    expect(DOMINANCE_DB).toBeLessThan(-10 * Math.log10(3)); // three equal tones mixed still count
  });
});

describe('tones through the real Asterisk', () => {
  it('the agent’s baresip (sending 440 Hz) hears the taxpayer’s 1 kHz from a SIPp tone pcap, and not itself', async () => {
    const agentPhone = await phone({ name: 'agent phone', register: { user: agentId, password }, toneHz: HZ_440 });
    await agentAvailable();
    const caller = uniqueCaller();
    const talkMs = 8000;
    // 0 for a person during the welcome, then the tone until hanging up. The SIPp side cannot record:
    // what the caller hears is checked the other way round, in the next test, with baresip as the caller.
    const taxpayer = toneCaller({ caller, hz: HZ_1K, talkMs, digits: '0' });
    const callId = await callIdOf(rig, caller);
    await waitForEvent(rig, callId, 'call.agent_answered', 30_000);
    await agentPhone.waitEvent('CALL_ESTABLISHED', 5000);
    const t = await taxpayer.done;
    expect(t.code, `caller SIPp: ${t.errors}`).toBe(0);
    await agentPhone.waitEvent('CALL_CLOSED', 10_000);
    await waitForEvent(rig, callId, 'call.ended');
    const row = await callRow(rig, callId);
    expect(row).toMatchObject({ outcome: 'answered', agent_id: agentId });

    const r = await toneReport(agentPhone.receivedWav, [HZ_1K, HZ_440]);
    console.log(formatToneReport(`agent phone heard (talk ${row.talk_ms} ms)`, r));
    expect(await hasTone(agentPhone.receivedWav, HZ_1K)).toBe(true);
    expect(await hasTone(agentPhone.receivedWav, HZ_440)).toBe(false);
    // The phone's file is the conversation: it lasts the talk time, and the caller's tone fills it.
    expect(Math.abs(r.durationS - row.talk_ms / 1000)).toBeLessThan(0.5);
    const spans = await toneSpans(agentPhone.receivedWav, HZ_1K);
    expect(r.tones[0]!.presentS).toBeGreaterThan(row.talk_ms / 1000 - 1);
    expect(spans.at(-1)!.toS).toBeGreaterThan(r.durationS - 0.2);
    await agentFreeAgain();
    await agentPhone.stop();
    expect(agentPhone.running()).toBe(false);
  }, 90_000);

  it('baresip as the taxpayer dials 12366 from the carrier’s address, presses 0, and hears the SIPp agent’s 1 kHz, not its own 440 Hz', async () => {
    const agentSipp = toneAgentPhone({ hz: HZ_1K, timeoutS: 60 });
    await registerAgent(agentId, password, agentSipp.sipPort);
    await agentAvailable();

    const caller = uniqueCaller();
    const taxpayer = await phone({ name: 'taxpayer phone', ip: '127.0.0.2', user: caller, toneHz: HZ_440 });
    await taxpayer.dial(`sip:12366@${SIP_TARGET}`);
    await taxpayer.waitEvent('CALL_ESTABLISHED', 10_000);
    const callId = await callIdOf(rig, caller);
    await new Promise((r) => setTimeout(r, 800));
    await taxpayer.sendDtmf('0');
    const answered = await waitForEvent(rig, callId, 'call.agent_answered', 30_000);
    expect(answered).toBeTruthy();
    await new Promise((r) => setTimeout(r, 4000));
    await taxpayer.hangup();
    await taxpayer.waitEvent('CALL_CLOSED', 5000);
    const a = await agentSipp.done;
    expect(a.code, `agent SIPp: ${a.errors}`).toBe(0);
    await waitForEvent(rig, callId, 'call.ended');
    const row = await callRow(rig, callId);
    expect(row).toMatchObject({ outcome: 'answered', agent_id: agentId, hung_up_by: 'caller' });

    const r = await toneReport(taxpayer.receivedWav, [HZ_1K, HZ_440]);
    console.log(formatToneReport(`taxpayer phone heard (IVR, then talk ${row.talk_ms} ms)`, r));
    expect(await hasTone(taxpayer.receivedWav, HZ_1K)).toBe(true);
    expect(await hasTone(taxpayer.receivedWav, HZ_440)).toBe(false);
    // The IVR's words came first: the agent's tone starts only after them, and then lasts the talk time.
    const spans = await toneSpans(taxpayer.receivedWav, HZ_1K);
    expect(spans[0]!.fromS).toBeGreaterThan(0.8);
    expect(Math.abs(r.tones[0]!.presentS - row.talk_ms / 1000)).toBeLessThan(1);
    await agentFreeAgain();
  }, 90_000);
});
