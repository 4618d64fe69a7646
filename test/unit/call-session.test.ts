import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startCall, stepCall, type CallEnv, type CallInput, type CallState, type CallStep } from '../../src/core/call/session.js';
import { routingRules } from '../../src/core/routing/model.js';
import { clock as fixedClock } from './call-fixtures.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import type { IvrDefinition } from '../../src/core/ivr/definition.js';

const clock = (start = 1_700_000_000_000) => fixedClock(start);

function def(): IvrDefinition {
  const r = validateDefinition({
    name: 'unit',
    start: 'welcome',
    prompts: { welcome: { zh: '欢迎' }, leave: { zh: '请留言' }, menu: { zh: '增值税请按一，留言请按二' } },
    nodes: {
      welcome: { kind: 'play', prompt: 'welcome', next: 'menu' },
      menu: {
        kind: 'menu',
        prompt: 'menu',
        options: { '1': 'vat', '2': 'vm' },
        timeoutS: 5,
        retries: 1,
        invalidPrompt: 'menu',
        timeoutPrompt: 'menu',
        onRetriesExhausted: 'vat',
      },
      vat: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, priority: 1, line: '国税', subLine: '增值税' },
      vm: { kind: 'voicemail', prompt: 'leave', maxSeconds: 60, queue: 'other' },
    },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.def;
}

const ENV: CallEnv = {
  ivr: def(),
  rules: routingRules([
    {
      queue: 'ntax-vat',
      strategy: 'longest_idle',
      preferredAgentS: 10,
      steps: [{ afterS: 0, skills: 'inherit' }],
      wrapUpS: 15,
      ringTimeoutS: 12,
      noAnswerPauseAfter: 2,
    },
  ]),
  shortAbandonMs: 5000,
  announceEveryMs: 30_000,
  firstAnnounceMs: 2000,
};
const base = { callId: 'c1', channelId: 'ch1', caller: '057185187424', dialed: '12366', lang: 'zh' as const, ivrVersion: 3 };

/** Feeds the IVR what Asterisk would: the current prompt finishes, then the digits. */
function drive(c: ReturnType<typeof clock>, step: CallStep, digits: string): CallStep {
  let s = step;
  const playing = () => [...s.commands].reverse().find((k) => k.kind === 'play');
  const pb = playing();
  if (pb && pb.kind === 'play') s = stepCall(c.ctx(), ENV, s.state, { kind: 'playback_finished', playbackId: pb.playbackId });
  for (const d of digits) s = stepCall(c.ctx(), ENV, s.state, { kind: 'dtmf', digit: d });
  return s;
}

function toQueued(c = clock()) {
  const s0 = startCall(c.ctx(), ENV, base);
  c.advance(3000);
  const s1 = drive(c, s0, '1');
  return { c, s0, s1 };
}

describe('call session', () => {
  it('answers and enters the IVR version it started on', () => {
    const { state, commands, events } = startCall(clock().ctx(), ENV, base);
    expect(state.phase).toBe('ivr');
    expect(state.ivrVersion).toBe(3);
    expect(commands.map((c) => c.kind)).toEqual(['answer', 'play']);
    expect(events.map((e) => e.type)).toEqual(['call.started', 'ivr.entered', 'ivr.node_visited']);
  });

  it('sends no answer for a caller the dialplan answered before Stasis()', () => {
    const { commands } = startCall(clock().ctx(), ENV, { ...base, answered: true });
    expect(commands.map((c) => c.kind)).toEqual(['play']);
  });

  it('queues with the route the IVR chose: queue, skills, priority and business line', () => {
    const { s1 } = toQueued();
    expect(s1.state.phase).toBe('queued');
    expect(s1.commands.map((x) => x.kind)).toEqual(['stop_playback', 'enqueue', 'start_moh', 'start_timer']);
    expect(s1.events.find((e) => e.type === 'call.queued')).toMatchObject({
      queue: 'ntax-vat',
      skills: { vat: 2 },
      priority: 1,
      line: '国税',
      subLine: '增值税',
    });
  });

  it('rings the reserved agent, bridges on answer and records the wait', () => {
    const { c, s1 } = toQueued();
    const s2 = stepCall(c.ctx(), ENV, s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    expect(s2.state.phase).toBe('ringing');
    // Put through at once: the phone rings and the first announcement, not yet due, is called off.
    expect(s2.commands.map((k) => k.kind)).toEqual(['ring_agent', 'cancel_timer']);
    expect(s2.commands[0]).toMatchObject({
      kind: 'ring_agent',
      endpoint: 'PJSIP/a1',
      callerNumber: base.caller,
      callId: 'c1',
      timeoutS: 12,
    });
    c.advance(4000);
    const legId = s2.state.offer!.legId;
    const s3 = stepCall(c.ctx(), ENV, s2.state, { kind: 'agent_leg_answered', legId });
    expect(s3.state.phase).toBe('bridged');
    expect(s3.commands.map((x) => x.kind)).toEqual(['agent_on_call', 'stop_moh', 'bridge']);
    expect(s3.events[0]).toMatchObject({ type: 'call.agent_answered', agentId: 'a1', waitMs: 4000 });
    c.advance(60_000);
    const s4 = stepCall(c.ctx(), ENV, s3.state, { kind: 'agent_hung_up', legId });
    expect(s4.state.phase).toBe('ended');
    expect(s4.events[0]).toMatchObject({
      type: 'call.ended',
      outcome: 'answered',
      hungUpBy: 'agent',
      talkMs: 60_000,
      durationMs: 67_000,
      queue: 'ntax-vat',
    });
    // The agent's phone is already free: given back before the caller's leg and the bridge are taken down.
    expect(s4.commands.map((k) => k.kind)).toEqual(['release_agent', 'hangup', 'destroy_bridge']);
    expect(s4.commands).toContainEqual({ kind: 'hangup', channelId: 'ch1' });
    expect(s4.commands).toContainEqual({ kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'talk', wrapUpS: 15 });

    // The caller hung up: the agent's leg goes first, so no next offer finds that phone still busy.
    const byCaller = stepCall(c.ctx(), ENV, s3.state, { kind: 'caller_hung_up' });
    expect(byCaller.commands.map((k) => k.kind)).toEqual(['hangup', 'destroy_bridge', 'release_agent']);
    expect(byCaller.commands[0]).toEqual({ kind: 'hangup', channelId: legId });
  });

  it('returns to the queue when the agent does not answer, and releases that agent', () => {
    const { c, s1 } = toQueued();
    const s2 = stepCall(c.ctx(), ENV, s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    const s3 = stepCall(c.ctx(), ENV, s2.state, { kind: 'agent_leg_failed', legId: s2.state.offer!.legId, reason: 'no_answer' });
    expect(s3.state.phase).toBe('queued');
    expect(s3.commands).toEqual([
      { kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'no_answer', pauseAfter: 2 },
      { kind: 'enqueue', callId: 'c1', route: { ...s1.state.route, excludedAgents: ['a1'] } },
      { kind: 'start_timer', timerId: s3.state.announce!.timerId, ms: 30_000 },
    ]);
    // Busy or unreachable moves on too, but is not held against the agent.
    const busy = stepCall(c.ctx(), ENV, s2.state, { kind: 'agent_leg_failed', legId: s2.state.offer!.legId, reason: 'busy' });
    expect(busy.commands[0]).toEqual({ kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'declined' });
    expect(s3.events[0]).toMatchObject({ type: 'call.agent_missed', reason: 'no_answer' });
  });

  it('classifies abandons by where the caller was, with the IVR node and the wait', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, base);
    const inIvr = stepCall(c.ctx(), ENV, drive(c, s0, '').state, { kind: 'caller_hung_up' });
    expect(inIvr.events.map((e) => e.type)).toEqual(['ivr.left', 'call.ended']);
    expect(inIvr.events[1]).toMatchObject({ outcome: 'abandoned', abandonedAt: 'ivr', ivrNode: 'menu' });
    const { s1 } = toQueued(c);
    c.advance(7000);
    const q = stepCall(c.ctx(), ENV, s1.state, { kind: 'caller_hung_up', position: { atEntry: 3, atAbandon: 1 } });
    expect(q.events[0]).toMatchObject({
      outcome: 'abandoned',
      abandonedAt: 'queue',
      waitMs: 7000,
      queue: 'ntax-vat',
      short: false,
      positionAtEntry: 3,
      positionAtAbandon: 1,
      ivrPath: ['welcome', 'menu', '1:vat'],
      line: '国税',
      subLine: '增值税',
    });
    expect(q.commands).toContainEqual({ kind: 'dequeue', callId: 'c1', queue: 'ntax-vat' });
    const r = stepCall(c.ctx(), ENV, s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    const rh = stepCall(c.ctx(), ENV, r.state, { kind: 'caller_hung_up' });
    expect(rh.events[0]).toMatchObject({ abandonedAt: 'ringing', agentId: 'a1' });
    expect(rh.commands).toContainEqual({ kind: 'hangup', channelId: r.state.offer!.legId });
    expect(rh.commands).toContainEqual({ kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'cancelled' });
  });

  it('takes a voicemail: prompt, then recording, kept when the caller hangs up', () => {
    const c = clock();
    const s = drive(c, startCall(c.ctx(), ENV, base), '2');
    expect(s.state.phase).toBe('voicemail');
    const prompt = s.commands.find((k) => k.kind === 'play');
    expect(prompt).toMatchObject({ prompts: [{ source: 'ivr', name: 'leave' }] });
    const rec = stepCall(c.ctx(), ENV, s.state, { kind: 'playback_finished', playbackId: (prompt as { playbackId: string }).playbackId });
    expect(rec.commands).toEqual([{ kind: 'record', channelId: 'ch1', recording: 'vm-c1', maxSeconds: 300 }]);
    c.advance(12_000);
    const end = stepCall(c.ctx(), ENV, rec.state, { kind: 'caller_hung_up' });
    expect(end.events.map((e) => e.type)).toEqual(['call.voicemail_left', 'call.ended']);
    expect(end.events[0]).toMatchObject({ queue: 'other', recording: 'vm-c1', durationS: 12 });
    expect(end.events[1]).toMatchObject({ outcome: 'voicemail', hungUpBy: 'caller' });
  });

  it('gives back an agent reserved for a call that is not waiting', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, base);
    const r = stepCall(c.ctx(), ENV, s0.state, { kind: 'agent_reserved', agentId: 'a9', endpoint: 'PJSIP/a9' });
    expect(r.commands).toEqual([{ kind: 'release_agent', agentId: 'a9', callId: 'c1', after: 'cancelled' }]);
  });

  it('property: whatever arrives, a call ends at most once, never rings two agents, and every reservation is released', () => {
    const input = fc.oneof(
      fc.constant<'pb'>('pb'),
      fc.constantFrom('0', '1', '2', '9', '*').map((d) => ({ dtmf: d })),
      fc.constantFrom('a1', 'a2', 'a3').map((a) => ({ reserve: a })),
      fc.constant<'answer'>('answer'),
      fc.constant<'fail'>('fail'),
      fc.constant<'callerHup'>('callerHup'),
      fc.constant<'agentHup'>('agentHup'),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (seq) => {
        const c = clock();
        let step = startCall(c.ctx(), ENV, base);
        let s: CallState = step.state;
        let lastPlayback: string | undefined;
        let ended = 0;
        const released = new Set<string>();
        const remember = (st: CallStep) => {
          for (const k of st.commands) if (k.kind === 'play') lastPlayback = k.playbackId;
        };
        remember(step);
        for (const x of seq) {
          c.advance(500);
          let inp: CallInput;
          if (x === 'pb') inp = { kind: 'playback_finished', playbackId: lastPlayback ?? 'none' };
          else if (x === 'answer') inp = { kind: 'agent_leg_answered', legId: s.offer?.legId ?? 'none' };
          else if (x === 'fail') inp = { kind: 'agent_leg_failed', legId: s.offer?.legId ?? 'none', reason: 'no_answer' };
          else if (x === 'callerHup') inp = { kind: 'caller_hung_up' };
          else if (x === 'agentHup') inp = { kind: 'agent_hung_up', legId: s.offer?.legId ?? 'none' };
          else if ('dtmf' in x) inp = { kind: 'dtmf', digit: x.dtmf };
          else inp = { kind: 'agent_reserved', agentId: x.reserve, endpoint: `PJSIP/${x.reserve}` };
          const before = s;
          step = stepCall(c.ctx(), ENV, s, inp);
          s = step.state;
          remember(step);
          ended += step.events.filter((e) => e.type === 'call.ended').length;
          const rings = step.commands.filter((k) => k.kind === 'ring_agent');
          expect(rings.length).toBeLessThanOrEqual(1);
          if (rings.length) expect(before.phase).toBe('queued');
          for (const k of step.commands) if (k.kind === 'release_agent') released.add(k.agentId);
          if (inp.kind === 'agent_reserved' && s.offer?.agentId !== inp.agentId) {
            expect(step.commands).toContainEqual({ kind: 'release_agent', agentId: inp.agentId, callId: 'c1', after: 'cancelled' });
          }
        }
        expect(ended).toBeLessThanOrEqual(1);
        if (s.phase === 'ended' && s.offer) expect(released.has(s.offer.agentId)).toBe(true);
      }),
    );
  });
});

describe('call session: waiting', () => {
  it('hold music first; the position after firstAnnounceMs, then hold music, then again every interval', () => {
    const { c, s1 } = toQueued();
    expect(s1.commands.find((k) => k.kind === 'start_timer')).toMatchObject({ ms: 2000, timerId: s1.state.announce!.timerId });
    c.advance(2000);
    const due = stepCall(c.ctx(), ENV, s1.state, { kind: 'timer_fired', timerId: s1.state.announce!.timerId! });
    expect(due.commands.map((k) => k.kind)).toEqual(['stop_moh', 'announce_position']);
    const first = due.commands.find((k) => k.kind === 'announce_position') as { playbackId: string; offerCallback: boolean };
    expect(first.offerCallback).toBe(true);
    const music = stepCall(c.ctx(), ENV, due.state, { kind: 'playback_finished', playbackId: first.playbackId });
    expect(music.commands).toEqual([
      { kind: 'start_moh', channelId: 'ch1' },
      { kind: 'start_timer', timerId: music.state.announce!.timerId, ms: 30_000 },
    ]);
    c.advance(30_000);
    const again = stepCall(c.ctx(), ENV, music.state, { kind: 'timer_fired', timerId: music.state.announce!.timerId! });
    expect(again.commands.map((k) => k.kind)).toEqual(['stop_moh', 'announce_position']);
  });

  it('pressing 1 keeps the place for a callback, confirms, and ends the call without an abandon', () => {
    const { c, s1 } = toQueued();
    const r = stepCall(c.ctx(), ENV, s1.state, { kind: 'dtmf', digit: '1' });
    expect(r.state.phase).toBe('callback');
    expect(r.commands.map((k) => k.kind)).toEqual(['cancel_timer', 'keep_place_for_callback', 'stop_moh', 'play']);
    expect(r.events[0]).toMatchObject({ type: 'call.callback_requested', queue: 'ntax-vat' });
    const end = stepCall(c.ctx(), ENV, r.state, { kind: 'playback_finished', playbackId: r.state.callbackPlaybackId! });
    expect(end.events[0]).toMatchObject({ type: 'call.ended', outcome: 'callback_requested', hungUpBy: 'system' });
    expect(end.commands).toEqual([{ kind: 'hangup', channelId: 'ch1' }]);
  });

  it('a caller whose number may not be dialled is offered no callback; pressing 1 says why, and they keep waiting in their place', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, { ...base, caller: '0090123456789', callbackRefusal: 'international' });
    c.advance(3000);
    const s1 = drive(c, s0, '1');
    expect(s1.state.phase).toBe('queued');
    // The first announcement: position and wait, but no "press 1".
    c.advance(2000);
    const due = stepCall(c.ctx(), ENV, s1.state, { kind: 'timer_fired', timerId: s1.state.announce!.timerId! });
    expect(due.commands.find((k) => k.kind === 'announce_position')).toMatchObject({ offerCallback: false });
    // Pressed during the announcement: it stops, the refusal plays, the place is untouched.
    const r = stepCall(c.ctx(), ENV, due.state, { kind: 'dtmf', digit: '1' });
    expect(r.state.phase).toBe('queued');
    expect(r.state.route).toEqual(s1.state.route);
    const play = r.commands.find((k) => k.kind === 'play');
    expect(play).toMatchObject({ prompts: [{ source: 'system', name: 'callback-refused' }] });
    expect(r.commands.map((k) => k.kind)).toEqual(['stop_playback', 'stop_moh', 'play']);
    expect(r.commands.some((k) => k.kind === 'keep_place_for_callback' || k.kind === 'dequeue')).toBe(false);
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'call.callback_refused',
        callId: 'c1',
        caller: '0090123456789',
        queue: 'ntax-vat',
        reason: 'international',
      }),
    ]);
    // When the refusal ends: hold music and the next announcement, as after any announcement.
    const music = stepCall(c.ctx(), ENV, r.state, { kind: 'playback_finished', playbackId: (play as { playbackId: string }).playbackId });
    expect(music.commands).toEqual([
      { kind: 'start_moh', channelId: 'ch1' },
      { kind: 'start_timer', timerId: music.state.announce!.timerId, ms: 30_000 },
    ]);
    // Still waiting: an agent freed now rings for them; hanging up is an abandon from the queue.
    const rung = stepCall(c.ctx(), ENV, music.state, { kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' });
    expect(rung.state.phase).toBe('ringing');
    const gone = stepCall(c.ctx(), ENV, music.state, { kind: 'caller_hung_up' });
    expect(gone.events.at(-1)).toMatchObject({ type: 'call.ended', outcome: 'abandoned', abandonedAt: 'queue' });
    expect(gone.commands).toContainEqual({ kind: 'dequeue', callId: 'c1', queue: 'ntax-vat' });
  });

  it('a caller who may be called back is offered it and keeps no refusal in their state', () => {
    const { s1 } = toQueued();
    expect(s1.state.callbackRefusal).toBeUndefined();
  });
});

describe('call session: queue rules', () => {
  it('a short wait before hanging up is flagged short', () => {
    const { c, s1 } = toQueued();
    c.advance(2000);
    expect(stepCall(c.ctx(), ENV, s1.state, { kind: 'caller_hung_up' }).events[0]).toMatchObject({
      abandonedAt: 'queue',
      short: true,
      waitMs: 2000,
    });
  });

  it('overflow moves the caller to another queue, keeping their waiting time', () => {
    const { c, s1 } = toQueued();
    c.advance(180_000);
    const o = stepCall(c.ctx(), ENV, s1.state, { kind: 'queue_expired', action: { action: 'overflow', toQueue: 'other' } });
    expect(o.state.route).toMatchObject({ queue: 'other', enqueuedAt: s1.state.route!.enqueuedAt });
    expect(o.commands.map((k) => k.kind)).toEqual(['cancel_timer', 'dequeue', 'enqueue', 'start_timer']);
    expect(o.events[0]).toMatchObject({ type: 'call.overflowed', fromQueue: 'ntax-vat', toQueue: 'other' });
  });

  it('max wait plays the closing message, then ends the call as rejected by the rule', () => {
    const { c, s1 } = toQueued();
    c.advance(600_000);
    const m = stepCall(c.ctx(), ENV, s1.state, { kind: 'queue_expired', action: { action: 'max_wait' } });
    const play = m.commands.find((k) => k.kind === 'play') as { playbackId: string; prompts: unknown };
    expect(play.prompts).toEqual([{ source: 'system', name: 'queue-timeout' }]);
    const end = stepCall(c.ctx(), ENV, m.state, { kind: 'playback_finished', playbackId: play.playbackId });
    expect(end.events[0]).toMatchObject({ type: 'call.ended', outcome: 'rejected', reason: 'max_wait', hungUpBy: 'system' });
    expect(end.commands).toEqual([{ kind: 'hangup', channelId: 'ch1' }]);
  });

  it('a returning caller carries the agent who handled them last into the queue', () => {
    const c = clock();
    const s = drive(c, startCall(c.ctx(), ENV, { ...base, preferredAgentId: 'a7' }), '1');
    expect(s.state.route?.preferredAgentId).toBe('a7');
    expect(s.events.find((e) => e.type === 'call.queued')).toMatchObject({ preferredAgentId: 'a7' });
  });
});
