import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  resumeCall,
  startCall,
  stepCall,
  type CallCommand,
  type CallEnv,
  type CallInput,
  type CallStep,
} from '../../src/core/call/session.js';
import { RECORDING_NOTICE_PROMPT, recordingName } from '../../src/core/call/recording.js';
import type { RecordingRules } from '../../src/core/routing/model.js';
import { validateRules } from '../../src/core/routing/rules.js';
import { aCaller, callEnv, clock } from './call-fixtures.js';

const env = (recording?: RecordingRules): CallEnv => callEnv(recording ? { recording } : {});
const NOTICE = env({ notice: true, retentionDays: 90, legs: false });
const SILENT = env({ notice: false, retentionDays: 90, legs: false });
const OFF = env();
const base = aCaller;

const kinds = (st: CallStep) => st.commands.map((k) => k.kind);
const noticePlay = (st: CallStep) =>
  st.commands.find(
    (k): k is Extract<CallCommand, { kind: 'play' }> => k.kind === 'play' && k.prompts.some((p) => p.name === RECORDING_NOTICE_PROMPT),
  );
const bridgeOf = (st: CallStep) => st.commands.find((k): k is Extract<CallCommand, { kind: 'bridge' }> => k.kind === 'bridge');

describe('recording: the notice and the bridge recording (core/call/recording.ts)', () => {
  it('a queue that does not record behaves as before: hold music, a plain bridge, nothing to finish', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), OFF, base);
    expect(kinds(s0)).toContain('start_moh');
    expect(noticePlay(s0)).toBeUndefined();
    const s1 = stepCall(c.ctx(), OFF, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const s2 = stepCall(c.ctx(), OFF, s1.state, { kind: 'agent_leg_answered', legId: s1.state.offer!.legId });
    expect(bridgeOf(s2)?.record).toBeUndefined();
    expect(s2.events.map((e) => e.type)).toEqual(['call.agent_answered']);
    const end = stepCall(c.ctx(), OFF, s2.state, { kind: 'caller_hung_up' });
    expect(kinds(end)).not.toContain('finish_recording');
  });

  it('the caller hears the notice instead of hold music as they enter the queue, then hold music', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), NOTICE, base);
    const play = noticePlay(s0);
    expect(play).toBeDefined();
    expect(kinds(s0)).not.toContain('start_moh');
    expect(s0.state.notice).toEqual({ playbackId: play!.playbackId });
    const s1 = stepCall(c.ctx(), NOTICE, s0.state, { kind: 'playback_finished', playbackId: play!.playbackId });
    expect(kinds(s1)).toEqual(['start_moh']);
    expect(s1.state.notice?.done).toBe(true);
  });

  it('an agent answering after the notice is bridged with the recording on, named by day (Asia/Shanghai) and call', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), NOTICE, base);
    const s1 = stepCall(c.ctx(), NOTICE, s0.state, { kind: 'playback_finished', playbackId: noticePlay(s0)!.playbackId });
    const s2 = stepCall(c.ctx(), NOTICE, s1.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    // Ringing the agent does not cut the notice: it is not an announcement.
    expect(kinds(s2)).not.toContain('stop_playback');
    const s3 = stepCall(c.ctx(), NOTICE, s2.state, { kind: 'agent_leg_answered', legId: s2.state.offer!.legId });
    const b = bridgeOf(s3)!;
    // 17:00 UTC on the 6th is 01:00 on the 7th in Beijing.
    expect(b.record).toEqual({ recordingId: s3.state.recording!.id, name: `calls/2026-12-07/${base.callId}` });
    expect(s3.events.map((e) => e.type)).toEqual(['call.agent_answered', 'call.recording_started']);
    expect(s3.events[1]).toMatchObject({ queue: 'ntax-vat', agentId: '1001', caller: base.caller, retentionDays: 90, kind: 'mix' });
    c.advance(30_000);
    const end = stepCall(c.ctx(), NOTICE, s3.state, { kind: 'caller_hung_up' });
    const k = kinds(end);
    // The file is finished after its bridge is gone.
    expect(k.indexOf('finish_recording')).toBeGreaterThan(k.indexOf('destroy_bridge'));
    expect(k.filter((x) => x === 'finish_recording')).toHaveLength(1);
  });

  it('an agent who answers during the notice is connected when it ends, not before', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), NOTICE, base);
    const s1 = stepCall(c.ctx(), NOTICE, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const legId = s1.state.offer!.legId;
    const s2 = stepCall(c.ctx(), NOTICE, s1.state, { kind: 'agent_leg_answered', legId });
    expect(bridgeOf(s2)).toBeUndefined();
    expect(kinds(s2)).toEqual(['agent_on_call']);
    expect(s2.state.phase).toBe('bridged');
    c.advance(2500);
    const s3 = stepCall(c.ctx(), NOTICE, s2.state, { kind: 'playback_finished', playbackId: noticePlay(s0)!.playbackId });
    expect(bridgeOf(s3)?.channelIds).toEqual([base.channelId, legId]);
    expect(bridgeOf(s3)?.record).toBeDefined();
    // Talk time, like the recording, starts at the bridge.
    c.advance(10_000);
    const end = stepCall(c.ctx(), NOTICE, s3.state, { kind: 'caller_hung_up' });
    expect(end.events.find((e) => e.type === 'call.ended')).toMatchObject({ outcome: 'answered', talkMs: 10_000 });
  });

  it('after a restart, a notice whose end was missed counts as heard and the waiting agent is connected', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), NOTICE, base);
    const s1 = stepCall(c.ctx(), NOTICE, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const s2 = stepCall(c.ctx(), NOTICE, s1.state, { kind: 'agent_leg_answered', legId: s1.state.offer!.legId });
    const r = resumeCall(c.ctx(), NOTICE, s2.state, { callerAlive: true, agentLeg: 'up' });
    expect(bridgeOf(r)?.record).toBeDefined();
  });

  it('notice: false records without the notice', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), SILENT, base);
    expect(noticePlay(s0)).toBeUndefined();
    const s1 = stepCall(c.ctx(), SILENT, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const s2 = stepCall(c.ctx(), SILENT, s1.state, { kind: 'agent_leg_answered', legId: s1.state.offer!.legId });
    expect(bridgeOf(s2)?.record).toBeDefined();
  });

  it('with legs, a file per party besides the mix: a recording each, all finished when the call ends', () => {
    const LEGS = env({ notice: false, retentionDays: 90, legs: true });
    const c = clock();
    const s0 = startCall(c.ctx(), LEGS, base);
    const s1 = stepCall(c.ctx(), LEGS, s0.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    const legId = s1.state.offer!.legId;
    const s2 = stepCall(c.ctx(), LEGS, s1.state, { kind: 'agent_leg_answered', legId });
    const name = `calls/2026-12-07/${base.callId}`;
    expect(bridgeOf(s2)!.record!.legs).toEqual([
      { id: expect.any(String), name: `${name}-caller`, kind: 'caller', channelId: base.channelId },
      { id: expect.any(String), name: `${name}-agent`, kind: 'agent', channelId: legId },
    ]);
    expect(s2.events.filter((e) => e.type === 'call.recording_started').map((e) => (e as { kind: string }).kind)).toEqual([
      'mix',
      'caller',
      'agent',
    ]);
    const end = stepCall(c.ctx(), LEGS, s2.state, { kind: 'agent_hung_up', legId });
    expect(end.commands.filter((k) => k.kind === 'finish_recording').map((k) => (k as { name: string }).name)).toEqual([
      name,
      `${name}-caller`,
      `${name}-agent`,
    ]);
  });

  it('names hold nothing but the date and the call id', () => {
    expect(recordingName('../../etc/passwd', Date.parse('2026-01-01T00:00:00Z'))).toBe('calls/2026-01-01/etcpasswd');
  });

  it('the rules: recording on with defaults, off, and a bad retention named', () => {
    const q = (recording: unknown) => ({
      queues: [{ queue: 'a', strategy: 'longest_idle', steps: [{ afterS: 0, skills: 'any' }], wrapUpS: 0, ringTimeoutS: 10, recording }],
    });
    const known = { knownSkills: [], knownQueues: ['a'] };
    const on = validateRules(q({ enabled: true }), known);
    expect(on.ok && on.rules.queues.get('a')?.recording).toEqual({ notice: true, retentionDays: 180, legs: false });
    const off = validateRules(q({ enabled: false, retentionDays: 30 }), known);
    expect(off.ok && off.rules.queues.get('a')?.recording).toBeUndefined();
    const bad = validateRules(q({ enabled: true, retentionDays: 0 }), known);
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(!bad.ok && bad.errors)).toContain('retentionDays');
  });

  it('property: whatever happens, the notice plays at most once, no conversation is bridged before it ended, and a started recording is finished once', () => {
    const input = fc.constantFrom<'reserve' | 'answer' | 'fail' | 'notice_done' | 'caller_hangs_up' | 'agent_hangs_up' | 'timer'>(
      'reserve',
      'answer',
      'fail',
      'notice_done',
      'caller_hangs_up',
      'agent_hangs_up',
      'timer',
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 25 }), fc.boolean(), (steps, notice) => {
        const e = notice ? NOTICE : SILENT;
        const c = clock();
        let st = startCall(c.ctx(), e, base);
        const all: CallStep[] = [st];
        let noticeId = noticePlay(st)?.playbackId;
        for (const s of steps) {
          c.advance(1000);
          const x = st.state;
          let inp: CallInput | undefined;
          if (s === 'reserve') inp = { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' };
          if (s === 'answer' && x.offer) inp = { kind: 'agent_leg_answered', legId: x.offer.legId };
          if (s === 'fail' && x.offer) inp = { kind: 'agent_leg_failed', legId: x.offer.legId, reason: 'no_answer' };
          if (s === 'notice_done' && noticeId) inp = { kind: 'playback_finished', playbackId: noticeId };
          if (s === 'caller_hangs_up') inp = { kind: 'caller_hung_up' };
          if (s === 'agent_hangs_up' && x.offer) inp = { kind: 'agent_hung_up', legId: x.offer.legId };
          if (s === 'timer' && x.announce?.timerId) inp = { kind: 'timer_fired', timerId: x.announce.timerId };
          if (!inp) continue;
          st = stepCall(c.ctx(), e, x, inp);
          noticeId ??= noticePlay(st)?.playbackId;
          all.push(st);
        }
        const cmds = all.flatMap((x) => x.commands);
        const notices = all.filter((x) => noticePlay(x)).length;
        expect(notices).toBe(notice ? 1 : 0);
        // No bridge before the notice finished.
        const firstBridge = all.findIndex((x) => bridgeOf(x));
        if (notice && firstBridge >= 0) {
          const heard = all.findIndex((x) => x.state.notice?.done);
          expect(heard).toBeGreaterThanOrEqual(0);
          expect(heard).toBeLessThanOrEqual(firstBridge);
        }
        const started = all.flatMap((x) => x.events).filter((ev) => ev.type === 'call.recording_started').length;
        const finished = cmds.filter((k) => k.kind === 'finish_recording').length;
        expect(started).toBeLessThanOrEqual(1);
        if (st.state.phase === 'ended' || st.state.phase === 'survey') expect(finished).toBe(started);
        else expect(finished).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
