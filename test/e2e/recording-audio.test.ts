import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatToneReport, toneReport } from '../support/audio-measure.js';
import { startBaresip, type Baresip } from '../support/baresip.js';
import { presses } from '../support/dtmf-pcap.js';
import { alwaysOpen12366, shippedRouting, shippedRoutingWith } from '../support/ivr.js';
import { adminCall } from '../support/one-agent.js';
import { killHard, spawnService, type ServiceProcess } from '../support/process.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { sipp } from '../support/sipp.js';
import { freshAgentId, randomPassword, uniqueCaller, waitFor } from '../support/service.js';
import { tonePcap } from '../support/tone-pcap.js';

// Issue 23's recording checks with real audio through the real Asterisk: a SIPp taxpayer sends a
// 1 kHz tone, a baresip agent sends 440 Hz; the recording Asterisk wrote must hold both tones and
// last the talk time (within 0.5 s), and a kill -9 of the service mid-call must still give a
// complete recording and its end event. Measured with sox (test/support/audio-measure.ts).
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const env = {
  REDIS_PREFIX: prefix,
  INSTANCE_ID: `rec-${randomBytes(2).toString('hex')}`,
  OUTBOX_DIR: mkdtempSync(path.join(os.tmpdir(), 'tax12366-outbox-')),
};
const recordingsDir = process.env.RECORDINGS_DIR ?? '/var/cache/tax12366/sid-rootfs/var/spool/asterisk/recording';
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const redis = new Redis(requireEnv('REDIS_URL'));
let svc: ServiceProcess;
let agent: Baresip;
let agentId: string;
const CALLER_HZ = 1000;
const AGENT_HZ = 440;

beforeAll(async () => {
  svc = await spawnService(env);
  const ivr = await adminCall(svc.url, 'POST', '/api/ivr/versions', alwaysOpen12366());
  await adminCall(svc.url, 'POST', `/api/ivr/versions/${ivr.version}/activate`);
  // "other" (0 in the menu: a person) records, with the notice.
  const other = shippedRouting().queues.find((q: { queue: string }) => q.queue === 'other');
  const rules = shippedRoutingWith([
    { ...other, wrapUpS: 1, noAnswerPauseAfter: 0, recording: { enabled: true, retentionDays: 30, legs: true } },
  ]);
  const r = await adminCall(svc.url, 'POST', '/api/routing/versions', rules);
  await adminCall(svc.url, 'POST', `/api/routing/versions/${r.version}/activate`);
  agentId = await freshAgentId({ pool });
  const password = randomPassword();
  await adminCall(svc.url, 'PUT', `/api/agents/${agentId}`, { name: '录音测试', password, skills: {}, queues: ['other'] });
  agent = await startBaresip({ name: 'agent', register: { user: agentId, password }, toneHz: AGENT_HZ });
  await adminCall(svc.url, 'POST', `/api/agents/${agentId}/login`);
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  if (svc) await killHard(svc);
  // The next test's service starts from the shipped configuration again (test/support/ivr.ts resetToShipped).
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
  await pool.end();
});

const eventOf = async (callId: string, type: string) =>
  (await pool.query<{ body: Record<string, unknown> }>('SELECT body FROM events WHERE call_id = $1 AND type = $2', [callId, type])).rows[0]
    ?.body;

/** A taxpayer pressing 0 at once and sending 1 kHz for the whole call, hanging up talkMs after the answer. */
function taxpayer(talkMs: number) {
  const caller = uniqueCaller();
  const run = sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: tonePcap({ hz: CALLER_HZ, durationMs: talkMs, dtmf: presses('0', 400) }) },
    timeoutS: 90,
  });
  return { caller, run };
}

async function callIdOf(caller: string): Promise<string> {
  return waitFor(
    `the call from ${caller}`,
    async () => (await pool.query('SELECT call_id FROM calls WHERE caller = $1', [caller])).rows[0]?.call_id,
  );
}

/** The finished recording of a call: its row once call.recorded is stored, and its file. */
async function finished(callId: string) {
  const row = await waitFor(
    'the recording finished',
    async () =>
      (await pool.query("SELECT * FROM recordings WHERE call_id = $1 AND kind = 'mix' AND ended_at IS NOT NULL", [callId])).rows[0],
    30_000,
  );
  const file = path.join(recordingsDir, `${row.name}.wav`);
  return { row, file, bytes: readFileSync(file) };
}

describe('call recording with real audio (SIPp caller 1 kHz, baresip agent 440 Hz)', () => {
  it('records both parties into one file lasting the talk time, with its size and SHA-256 in Postgres and the events', async () => {
    const t = taxpayer(16_000);
    const callId = await callIdOf(t.caller);
    const done = await t.run.done;
    expect(done.code, done.errors).toBe(0);
    const { row, file, bytes } = await finished(callId);
    const call = (await pool.query('SELECT talk_ms, outcome, agent_id FROM calls WHERE call_id = $1', [callId])).rows[0];
    expect(call).toMatchObject({ outcome: 'answered', agent_id: agentId });
    expect(row).toMatchObject({
      kind: 'mix',
      queue: 'other',
      agent_id: agentId,
      caller: t.caller,
      end_reason: 'call_ended',
      retention_days: 30,
    });
    expect(Number(row.size_bytes)).toBe(bytes.length);
    expect(row.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await eventOf(callId, 'call.recording_started')).toMatchObject({ recordingId: row.id, name: row.name });
    const recorded = await pool.query(
      "SELECT body FROM events WHERE call_id = $1 AND type = 'call.recorded' AND body->>'recordingId' = $2",
      [callId, row.id],
    );
    expect(recorded.rows.map((r) => r.body)).toEqual([expect.objectContaining({ sizeBytes: bytes.length, sha256: row.sha256 })]);

    const report = await toneReport(file, [CALLER_HZ, AGENT_HZ]);
    console.log(formatToneReport(`recording of call ${callId} (talk ${call.talk_ms} ms)`, report));
    expect(Math.abs(report.durationS - call.talk_ms / 1000)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(row.duration_ms - call.talk_ms)).toBeLessThanOrEqual(500);
    // Both parties are heard for most of the conversation.
    for (const tone of report.tones) expect(tone.presentS, `${tone.hz} Hz`).toBeGreaterThan(report.durationS * 0.8);

    // The legs: each party's own file holds that party's tone and not the other's.
    const legs = await waitFor('both legs finished', async () => {
      const r = await pool.query(
        `SELECT kind, name, duration_ms FROM recordings WHERE call_id = $1 AND kind <> 'mix' AND ended_at IS NOT NULL ORDER BY kind`,
        [callId],
      );
      return r.rows.length === 2 ? r.rows : undefined;
    });
    for (const leg of legs) {
      const own = leg.kind === 'caller' ? CALLER_HZ : AGENT_HZ;
      const other = leg.kind === 'caller' ? AGENT_HZ : CALLER_HZ;
      const r = await toneReport(path.join(recordingsDir, `${leg.name}.wav`), [own, other]);
      console.log(formatToneReport(`${leg.kind} leg`, r));
      expect(r.tones[0]!.presentS, `${leg.kind} leg: its own tone`).toBeGreaterThan(r.durationS * 0.8);
      expect(r.tones[1]!.presentS, `${leg.kind} leg: the other party's tone`).toBe(0);
      expect(Math.abs(r.durationS - call.talk_ms / 1000)).toBeLessThanOrEqual(0.5);
    }
  }, 90_000);

  it('kill -9 of the service mid-call: the recording goes on in Asterisk, and its end is recorded after the restart', async () => {
    const t = taxpayer(24_000);
    const callId = await callIdOf(t.caller);
    await waitFor('recording started', () => eventOf(callId, 'call.recording_started'), 30_000);
    await new Promise((r) => setTimeout(r, 3000));
    await killHard(svc);
    await new Promise((r) => setTimeout(r, 2000));
    svc = await spawnService(env);
    const done = await t.run.done;
    expect(done.code, done.errors).toBe(0);
    const { row, file } = await finished(callId);
    expect(row.end_reason).toBe('call_ended');
    const call = (await pool.query('SELECT talk_ms, outcome FROM calls WHERE call_id = $1', [callId])).rows[0];
    expect(call.outcome).toBe('answered');
    const report = await toneReport(file, [CALLER_HZ, AGENT_HZ]);
    console.log(formatToneReport(`recording across a kill -9, call ${callId} (talk ${call.talk_ms} ms)`, report));
    expect(Math.abs(report.durationS - call.talk_ms / 1000)).toBeLessThanOrEqual(0.5);
    // No hole where the service was down: both tones all along.
    for (const tone of report.tones) expect(tone.presentS, `${tone.hz} Hz`).toBeGreaterThan(report.durationS * 0.8);
  }, 120_000);
});
