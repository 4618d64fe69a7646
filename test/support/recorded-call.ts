import { expect } from 'vitest';
import { callIdOf } from './calls.js';
import { dtmfPcap, presses } from './dtmf-pcap.js';
import { oneAgentOnOther } from './one-agent.js';
import { uniqueCaller, waitFor, type TestRig } from './service.js';
import { sipp } from './sipp.js';

export interface RecordedCall {
  agentId: string;
  caller: string;
  callId: string;
  /** The 'mix' recording of the call, finished (ended_at set, checksum written). */
  recordingId: string;
}

/**
 * A real answered call on the rig, recorded: "other" records (without the notice, so the talk is
 * the talk asked for), a taxpayer presses 0, the one agent of "other" answers, they talk for `talkMs`, the taxpayer hangs up. Returns when the
 * recording's row is complete. No recording row: the recording feature is missing, and this fails.
 */
export async function recordedCall(rig: TestRig, o: { agentName: string; talkMs?: number }): Promise<RecordedCall> {
  const talkMs = o.talkMs ?? 6000;
  const { agentId, phone } = await oneAgentOnOther(rig.svc.url, rig.pool, {
    name: o.agentName,
    phoneCalls: 1,
    timeoutS: 90,
    other: { recording: { enabled: true, notice: false } },
  });
  const caller = uniqueCaller('0571');
  const run = await sipp({
    scenario: 'caller-dtmf.xml',
    ip: '127.0.0.2',
    keys: { caller, dialed: '12366' },
    vars: { talk_ms: talkMs },
    files: { pcap: dtmfPcap(presses('0', 400), { audioMs: talkMs }) },
    timeoutS: 90,
  }).done;
  expect(run.code, run.errors || run.output.slice(-1000)).toBe(0);
  expect((await phone.done).code).toBe(0);
  const callId = await callIdOf(rig, caller, 30_000);
  const recordingId = await waitFor(
    `the finished mix recording of call ${callId} (the queue records)`,
    async () => {
      const r = await rig.pool.query<{ id: string }>(
        "SELECT id FROM recordings WHERE call_id = $1 AND kind = 'mix' AND ended_at IS NOT NULL AND sha256 IS NOT NULL",
        [callId],
      );
      return r.rows[0]?.id;
    },
    30_000,
  );
  return { agentId, caller, callId, recordingId };
}
