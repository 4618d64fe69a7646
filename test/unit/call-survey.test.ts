import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  resumeCall,
  startCall,
  stepCall,
  type CallCommand,
  type CallEnv,
  type CallInput,
  type CallState,
  type CallStep,
} from '../../src/core/call/session.js';
import { SURVEY_ANSWER_MS, SURVEY_PROMPT, SURVEY_THANKS_PROMPT } from '../../src/core/call/survey.js';
import type { DomainEvent } from '../../src/core/events.js';
import { validateRules } from '../../src/core/routing/rules.js';
import { callEnv, clock as fixedClock } from './call-fixtures.js';

// This file's calls start at an instant of its own (any would do).
const clock = (start = 1_700_000_000_000) => fixedClock(start);
const env = (survey: boolean): CallEnv => callEnv(survey ? { survey: true } : {});
const ON = env(true);
const OFF = env(false);
const base = { callId: 'c1', channelId: 'ch1', caller: '057185187424', dialed: '12366', lang: 'zh' as const, ivrVersion: 3 };

/** A call put through to agent a1 and talking for a minute. */
function bridged(e: CallEnv, c = clock()) {
  const s0 = startCall(c.ctx(), e, base);
  const s1 = stepCall(c.ctx(), e, s0.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
  const legId = s1.state.offer!.legId;
  c.advance(4000);
  const s2 = stepCall(c.ctx(), e, s1.state, { kind: 'agent_leg_answered', legId });
  expect(s2.state.phase).toBe('bridged');
  c.advance(60_000);
  return { c, s: s2.state, legId };
}

const playOf = (st: CallStep) => st.commands.find((k): k is Extract<CallCommand, { kind: 'play' }> => k.kind === 'play');
const timerOf = (st: CallStep) => st.commands.find((k): k is Extract<CallCommand, { kind: 'start_timer' }> => k.kind === 'start_timer');
const types = (es: DomainEvent[]) => es.map((e) => e.type);

describe('satisfaction survey after the agent hangs up', () => {
  it('the agent is released and call.ended recorded exactly as without the survey; the caller stays and hears the question', () => {
    const on = bridged(ON);
    const off = bridged(OFF);
    const withSurvey = stepCall(on.c.ctx(), ON, on.s, { kind: 'agent_hung_up', legId: on.legId });
    const without = stepCall(off.c.ctx(), OFF, off.s, { kind: 'agent_hung_up', legId: off.legId });
    // The same call.ended (answered, talk time up to the agent's hang-up), ids aside.
    const strip = (e: DomainEvent) => ({ ...e, id: undefined });
    expect(withSurvey.events.map(strip)).toEqual(without.events.map(strip));
    expect(withSurvey.events[0]).toMatchObject({ type: 'call.ended', outcome: 'answered', hungUpBy: 'agent', talkMs: 60_000 });
    // The agent first, as today; no hang-up of the caller; the bridge goes before the question.
    expect(without.commands.map((k) => k.kind)).toEqual(['release_agent', 'hangup', 'destroy_bridge']);
    expect(withSurvey.commands.map((k) => k.kind)).toEqual(['release_agent', 'destroy_bridge', 'play']);
    expect(withSurvey.commands[0]).toEqual(without.commands[0]);
    expect(playOf(withSurvey)).toMatchObject({ channelId: 'ch1', prompts: [{ source: 'system', name: SURVEY_PROMPT }] });
    expect(withSurvey.state.phase).toBe('survey');
    expect(without.state.phase).toBe('ended');
  });

  it('key 1 → call.survey_answered score 1 for the call, agent and queue; the thank-you; then we hang up', () => {
    const { c, s, legId } = bridged(ON);
    const a = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
    const q = playOf(a)!;
    const k = stepCall(c.ctx(), ON, a.state, { kind: 'dtmf', digit: '1' });
    expect(k.events).toHaveLength(1);
    expect(k.events[0]).toMatchObject({ type: 'call.survey_answered', callId: 'c1', agentId: 'a1', queue: 'ntax-vat', score: 1, asked: 1 });
    expect(k.commands[0]).toEqual({ kind: 'stop_playback', playbackId: q.playbackId });
    const thanks = playOf(k)!;
    expect(thanks.prompts).toEqual([{ source: 'system', name: SURVEY_THANKS_PROMPT }]);
    // More keys and the stopped question's end change nothing.
    const again = stepCall(c.ctx(), ON, k.state, { kind: 'dtmf', digit: '3' });
    expect(again.events).toEqual([]);
    const stopped = stepCall(c.ctx(), ON, again.state, { kind: 'playback_finished', playbackId: q.playbackId });
    expect(stopped.commands).toEqual([]);
    const done = stepCall(c.ctx(), ON, stopped.state, { kind: 'playback_finished', playbackId: thanks.playbackId });
    expect(done.commands).toEqual([{ kind: 'hangup', channelId: 'ch1' }]);
    expect(done.state.phase).toBe('ended');
    expect(done.events).toEqual([]);
  });

  it('keys 2 and 3 are 基本满意 and 不满意, also while waiting after the question', () => {
    for (const [digit, score] of [
      ['2', 2],
      ['3', 3],
    ] as const) {
      const { c, s, legId } = bridged(ON);
      const a = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
      const w = stepCall(c.ctx(), ON, a.state, { kind: 'playback_finished', playbackId: playOf(a)!.playbackId });
      expect(timerOf(w)).toMatchObject({ ms: SURVEY_ANSWER_MS });
      const k = stepCall(c.ctx(), ON, w.state, { kind: 'dtmf', digit });
      expect(k.commands[0]).toEqual({ kind: 'cancel_timer', timerId: timerOf(w)!.timerId });
      expect(k.events[0]).toMatchObject({ type: 'call.survey_answered', score });
    }
  });

  it('no key: asked once more, then call.survey_unanswered (no_answer) and we hang up', () => {
    const { c, s, legId } = bridged(ON);
    let st = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
    st = stepCall(c.ctx(), ON, st.state, { kind: 'playback_finished', playbackId: playOf(st)!.playbackId });
    st = stepCall(c.ctx(), ON, st.state, { kind: 'timer_fired', timerId: timerOf(st)!.timerId });
    expect(playOf(st)?.prompts[0]?.name).toBe(SURVEY_PROMPT);
    expect(st.state.survey?.asked).toBe(2);
    st = stepCall(c.ctx(), ON, st.state, { kind: 'playback_finished', playbackId: playOf(st)!.playbackId });
    st = stepCall(c.ctx(), ON, st.state, { kind: 'timer_fired', timerId: timerOf(st)!.timerId });
    expect(st.events[0]).toMatchObject({ type: 'call.survey_unanswered', reason: 'no_answer', agentId: 'a1', queue: 'ntax-vat', asked: 2 });
    expect(st.commands).toEqual([{ kind: 'hangup', channelId: 'ch1' }]);
    expect(st.state.phase).toBe('ended');
  });

  it('another key: the question again, then invalid_key; a valid key at the repeat still counts', () => {
    const { c, s, legId } = bridged(ON);
    const a = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
    const bad = stepCall(c.ctx(), ON, a.state, { kind: 'dtmf', digit: '9' });
    expect(bad.commands.map((k) => k.kind)).toEqual(['stop_playback', 'play']);
    const good = stepCall(c.ctx(), ON, bad.state, { kind: 'dtmf', digit: '2' });
    expect(good.events[0]).toMatchObject({ type: 'call.survey_answered', score: 2, asked: 2 });
    const worse = stepCall(c.ctx(), ON, bad.state, { kind: 'dtmf', digit: '#' });
    expect(worse.events[0]).toMatchObject({ type: 'call.survey_unanswered', reason: 'invalid_key' });
    expect(worse.commands.map((k) => k.kind)).toEqual(['stop_playback', 'hangup']);
  });

  it('the caller hanging up during the survey ends it quietly: no hang-up by us, no abandon, no second call.ended', () => {
    const { c, s, legId } = bridged(ON);
    const a = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
    const w = stepCall(c.ctx(), ON, a.state, { kind: 'playback_finished', playbackId: playOf(a)!.playbackId });
    const gone = stepCall(c.ctx(), ON, w.state, { kind: 'caller_hung_up' });
    expect(types(gone.events)).toEqual(['call.survey_unanswered']);
    expect(gone.events[0]).toMatchObject({ reason: 'caller_hung_up' });
    expect(gone.commands).toEqual([{ kind: 'cancel_timer', timerId: timerOf(w)!.timerId }]);
    expect(gone.state.phase).toBe('ended');
    // After answering, leaving during the thank-you records nothing more.
    const k = stepCall(c.ctx(), ON, a.state, { kind: 'dtmf', digit: '1' });
    const left = stepCall(c.ctx(), ON, k.state, { kind: 'caller_left_app' });
    expect(left.events).toEqual([]);
    expect(left.commands).toEqual([]);
  });

  it('no survey when the caller hung up first, or when the queue has it off', () => {
    const on = bridged(ON);
    const byCaller = stepCall(on.c.ctx(), ON, on.s, { kind: 'caller_hung_up' });
    expect(byCaller.state.phase).toBe('ended');
    expect(playOf(byCaller)).toBeUndefined();
    const off = bridged(OFF);
    const byAgent = stepCall(off.c.ctx(), OFF, off.s, { kind: 'agent_hung_up', legId: off.legId });
    expect(byAgent.state.phase).toBe('ended');
    expect(byAgent.commands).toContainEqual({ kind: 'hangup', channelId: 'ch1' });
  });

  it('after a restart: an unanswered survey is asked once more as the last time; an answered one is hung up; a caller gone ends quietly', () => {
    const { c, s, legId } = bridged(ON);
    const a = stepCall(c.ctx(), ON, s, { kind: 'agent_hung_up', legId });
    const snap = JSON.parse(JSON.stringify(a.state)) as CallState;
    const r = resumeCall(c.ctx(), ON, snap, { callerAlive: true });
    // The question the last process started is stopped before it is asked again.
    expect(r.commands.map((k) => k.kind)).toEqual(['stop_playback', 'play']);
    expect(r.commands[0]).toEqual({ kind: 'stop_playback', playbackId: snap.survey!.playbackId });
    expect(r.state.survey?.asked).toBe(2);
    expect(r.events).toEqual([]);
    const w = stepCall(c.ctx(), ON, r.state, { kind: 'playback_finished', playbackId: playOf(r)!.playbackId });
    const t = stepCall(c.ctx(), ON, w.state, { kind: 'timer_fired', timerId: timerOf(w)!.timerId });
    expect(t.events[0]).toMatchObject({ type: 'call.survey_unanswered', reason: 'no_answer' });

    const k = stepCall(c.ctx(), ON, a.state, { kind: 'dtmf', digit: '1' });
    const rk = resumeCall(c.ctx(), ON, JSON.parse(JSON.stringify(k.state)) as CallState, { callerAlive: true });
    expect(rk.commands).toEqual([{ kind: 'hangup', channelId: 'ch1' }]);
    expect(rk.events).toEqual([]);
    expect(rk.state.phase).toBe('ended');

    const gone = resumeCall(c.ctx(), ON, snap, { callerAlive: false });
    expect(types(gone.events)).toEqual(['call.survey_unanswered']);
    expect(gone.commands.filter((k) => k.kind === 'hangup')).toEqual([]);
    expect(gone.state.phase).toBe('ended');
  });

  it('property: after release nothing touches the agent; survey only when the agent hung up with it on; one survey event per survey; the caller hung up by us exactly once, or not at all if they left', () => {
    const input = fc.oneof(
      fc.constant<'pb'>('pb'),
      fc.constant<'timer'>('timer'),
      fc.constantFrom('1', '2', '3', '0', '9', '#').map((d) => ({ dtmf: d })),
      fc.constant<'callerHup'>('callerHup'),
      fc.constant<'agentHup'>('agentHup'),
      fc.constant<'legFail'>('legFail'),
      fc.constant<'restart'>('restart'),
      fc.constant<'reserve'>('reserve'),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(input, { maxLength: 30 }), (surveyOn, seq) => {
        const e = surveyOn ? ON : OFF;
        const { c, s: s0, legId } = bridged(e);
        let s = s0;
        let lastPlayback: string | undefined;
        let lastTimer: string | undefined;
        const all: CallCommand[] = [];
        const events: DomainEvent[] = [];
        let released = false;
        let callerLeft = false;
        let agentHungUpFirst = false;
        for (const x of seq) {
          c.advance(1000);
          if (s.phase === 'ended') break;
          let step: CallStep;
          if (x === 'restart')
            step = resumeCall(c.ctx(), e, JSON.parse(JSON.stringify(s)) as CallState, { callerAlive: true, agentLeg: 'up' });
          else {
            let inp: CallInput;
            if (x === 'pb') inp = { kind: 'playback_finished', playbackId: lastPlayback ?? 'none' };
            else if (x === 'timer') inp = { kind: 'timer_fired', timerId: lastTimer ?? 'none' };
            else if (x === 'callerHup') inp = { kind: 'caller_hung_up' };
            else if (x === 'agentHup') inp = { kind: 'agent_hung_up', legId };
            else if (x === 'legFail') inp = { kind: 'agent_leg_failed', legId, reason: 'no_answer' };
            else if (x === 'reserve') inp = { kind: 'agent_reserved', agentId: 'a2', endpoint: 'PJSIP/a2' };
            else inp = { kind: 'dtmf', digit: x.dtmf };
            if (inp.kind === 'caller_hung_up') callerLeft = true;
            if (inp.kind === 'agent_hung_up' && s.phase === 'bridged') agentHungUpFirst = true;
            step = stepCall(c.ctx(), e, s, inp);
          }
          for (const k of step.commands) {
            // Once a1 is released, no command names its leg or the agent again.
            if (released) {
              expect(k).not.toMatchObject({ channelId: legId });
              expect(k.kind === 'release_agent' && k.agentId === 'a1').toBe(false);
              expect(k.kind).not.toBe('agent_on_call');
            }
            if (k.kind === 'release_agent' && k.agentId === 'a1') released = true;
            if (k.kind === 'play') lastPlayback = k.playbackId;
            if (k.kind === 'start_timer') lastTimer = k.timerId;
          }
          all.push(...step.commands);
          events.push(...step.events);
          s = step.state;
        }
        const surveyed = all.some((k) => k.kind === 'play' && k.prompts.some((p) => p.name === SURVEY_PROMPT));
        expect(surveyed).toBe(surveyOn && agentHungUpFirst);
        expect(types(events).filter((t) => t === 'call.ended').length).toBeLessThanOrEqual(1);
        const surveyEvents = events.filter((ev) => ev.type === 'call.survey_answered' || ev.type === 'call.survey_unanswered');
        expect(surveyEvents.length).toBeLessThanOrEqual(1);
        if (surveyed && s.phase === 'ended') expect(surveyEvents).toHaveLength(1);
        if (!surveyed) expect(surveyEvents).toHaveLength(0);
        const callerHangups = all.filter((k) => k.kind === 'hangup' && k.channelId === 'ch1').length;
        if (s.phase === 'ended') {
          if (callerLeft && !agentHungUpFirst) expect(callerHangups).toBe(0);
          else if (surveyed) expect(callerHangups).toBe(callerLeft ? 0 : 1);
          else expect(callerHangups).toBe(1);
        } else expect(callerHangups).toBe(0);
      }),
    );
  });
});

describe('survey in the routing configuration', () => {
  const queue = { queue: 'q', strategy: 'longest_idle', steps: [{ afterS: 0, skills: 'any' }], wrapUpS: 0, ringTimeoutS: 10 };
  it('is off by default and on when a queue says survey: true', () => {
    const off = validateRules({ queues: [queue] }, { knownSkills: new Set(), knownQueues: new Set(['q']) });
    const on = validateRules({ queues: [{ ...queue, survey: true }] }, { knownSkills: new Set(), knownQueues: new Set(['q']) });
    expect(off.ok && off.rules.queues.get('q')).not.toHaveProperty('survey');
    expect(on.ok && on.rules.queues.get('q')?.survey).toBe(true);
  });
  it('rejects a survey that is not a boolean, naming the field', () => {
    const r = validateRules({ queues: [{ ...queue, survey: 'yes' }] }, { knownSkills: new Set(), knownQueues: new Set(['q']) });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.some((x) => x.path.includes('survey'))).toBe(true);
  });
});
