import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startCall, stepCall, type CallInput, type CallState } from '../../src/core/call/session.js';
import type { Ctx } from '../../src/core/events.js';

function clock(start = 1_700_000_000_000) {
  let now = start;
  let n = 0;
  return {
    ctx: (): Ctx => ({ now, newId: () => `id${++n}` }),
    advance: (ms: number) => (now += ms),
  };
}

const base = { callId: 'c1', channelId: 'ch1', caller: '057185187424', dialed: '12366' };

function toQueued(c = clock()) {
  const s0 = startCall(c.ctx(), base);
  c.advance(3000);
  const s1 = stepCall(c.ctx(), s0.state, { kind: 'playback_finished', playbackId: s0.state.playbackId! });
  return { c, s0, s1 };
}

describe('call session', () => {
  it('answers and plays the welcome first', () => {
    const { state, commands, events } = startCall(clock().ctx(), base);
    expect(state.phase).toBe('welcome');
    expect(commands.map((c) => c.kind)).toEqual(['answer', 'play']);
    expect(events.map((e) => e.type)).toEqual(['call.started']);
  });

  it('queues after the welcome and ignores a stale playback', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), base);
    expect(stepCall(c.ctx(), s0.state, { kind: 'playback_finished', playbackId: 'other' }).state.phase).toBe('welcome');
    const { s1 } = toQueued();
    expect(s1.state.phase).toBe('queued');
    expect(s1.commands.map((x) => x.kind)).toEqual(['start_moh', 'enqueue']);
  });

  it('rings the reserved agent, bridges on answer and records the wait', () => {
    const { c, s1 } = toQueued();
    const s2 = stepCall(c.ctx(), s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    expect(s2.state.phase).toBe('ringing');
    const ring = s2.commands[0]!;
    expect(ring).toMatchObject({ kind: 'ring_agent', endpoint: 'PJSIP/a1', callerNumber: base.caller, callId: 'c1' });
    c.advance(4000);
    const legId = s2.state.offer!.legId;
    const s3 = stepCall(c.ctx(), s2.state, { kind: 'agent_leg_answered', legId });
    expect(s3.state.phase).toBe('bridged');
    expect(s3.commands.map((x) => x.kind)).toEqual(['agent_on_call', 'stop_moh', 'bridge']);
    expect(s3.events[0]).toMatchObject({ type: 'call.agent_answered', agentId: 'a1', waitMs: 4000 });
    c.advance(60_000);
    const s4 = stepCall(c.ctx(), s3.state, { kind: 'agent_hung_up', legId });
    expect(s4.state.phase).toBe('ended');
    expect(s4.events[0]).toMatchObject({ type: 'call.ended', outcome: 'answered', hungUpBy: 'agent', talkMs: 60_000, durationMs: 67_000 });
    expect(s4.commands).toContainEqual({ kind: 'hangup', channelId: 'ch1' });
    expect(s4.commands).toContainEqual({ kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'talk' });
  });

  it('returns to the queue when the agent does not answer, and releases that agent', () => {
    const { c, s1 } = toQueued();
    const s2 = stepCall(c.ctx(), s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    const s3 = stepCall(c.ctx(), s2.state, { kind: 'agent_leg_failed', legId: s2.state.offer!.legId, reason: 'no_answer' });
    expect(s3.state.phase).toBe('queued');
    expect(s3.commands).toEqual([
      { kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'missed' },
      { kind: 'enqueue', callId: 'c1', queue: 'default' },
    ]);
    expect(s3.events[0]).toMatchObject({ type: 'call.agent_missed', reason: 'no_answer' });
  });

  it('classifies abandons by where the caller was', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), base);
    expect(stepCall(c.ctx(), s0.state, { kind: 'caller_hung_up' }).events[0]).toMatchObject({ abandonedAt: 'ivr' });
    const { s1 } = toQueued();
    const q = stepCall(c.ctx(), s1.state, { kind: 'caller_hung_up' });
    expect(q.events[0]).toMatchObject({ outcome: 'abandoned', abandonedAt: 'queue' });
    expect(q.commands).toContainEqual({ kind: 'dequeue', callId: 'c1', queue: 'default' });
    const r = stepCall(c.ctx(), s1.state, { kind: 'agent_reserved', agentId: 'a1', endpoint: 'PJSIP/a1' });
    const rh = stepCall(c.ctx(), r.state, { kind: 'caller_hung_up' });
    expect(rh.events[0]).toMatchObject({ abandonedAt: 'ringing', agentId: 'a1' });
    expect(rh.commands).toContainEqual({ kind: 'hangup', channelId: r.state.offer!.legId });
    expect(rh.commands).toContainEqual({ kind: 'release_agent', agentId: 'a1', callId: 'c1', after: 'cancelled' });
  });

  it('gives back an agent reserved for a call that is no longer waiting', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), base);
    const r = stepCall(c.ctx(), s0.state, { kind: 'agent_reserved', agentId: 'a9', endpoint: 'PJSIP/a9' });
    expect(r.commands).toEqual([{ kind: 'release_agent', agentId: 'a9', callId: 'c1', after: 'cancelled' }]);
  });

  it('property: whatever arrives, a call ends at most once, never rings two agents, and every reservation is released', () => {
    const input = fc.oneof(
      fc.constant<'pb'>('pb'),
      fc.constantFrom('a1', 'a2', 'a3').map((a) => ({ reserve: a })),
      fc.constant<'answer'>('answer'),
      fc.constant<'fail'>('fail'),
      fc.constant<'callerHup'>('callerHup'),
      fc.constant<'agentHup'>('agentHup'),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 30 }), (seq) => {
        const c = clock();
        let step = startCall(c.ctx(), base);
        let s: CallState = step.state;
        let ended = 0;
        const reserved = new Set<string>();
        const released = new Set<string>();
        for (const x of seq) {
          c.advance(500);
          let inp: CallInput;
          if (x === 'pb') inp = { kind: 'playback_finished', playbackId: s.playbackId ?? 'none' };
          else if (x === 'answer') inp = { kind: 'agent_leg_answered', legId: s.offer?.legId ?? 'none' };
          else if (x === 'fail') inp = { kind: 'agent_leg_failed', legId: s.offer?.legId ?? 'none', reason: 'no_answer' };
          else if (x === 'callerHup') inp = { kind: 'caller_hung_up' };
          else if (x === 'agentHup') inp = { kind: 'agent_hung_up', legId: s.offer?.legId ?? 'none' };
          else {
            inp = { kind: 'agent_reserved', agentId: x.reserve, endpoint: `PJSIP/${x.reserve}` };
            reserved.add(`${x.reserve}@${seq.indexOf(x)}`);
          }
          const before = s;
          step = stepCall(c.ctx(), s, inp);
          s = step.state;
          ended += step.events.filter((e) => e.type === 'call.ended').length;
          const rings = step.commands.filter((k) => k.kind === 'ring_agent');
          expect(rings.length).toBeLessThanOrEqual(1);
          if (rings.length) expect(before.phase).toBe('queued');
          for (const k of step.commands) if (k.kind === 'release_agent') released.add(k.agentId);
          if (inp.kind === 'agent_reserved' && s.offer?.agentId !== inp.agentId) {
            // Not rung: it must have been handed straight back.
            expect(step.commands).toContainEqual({ kind: 'release_agent', agentId: inp.agentId, callId: 'c1', after: 'cancelled' });
          }
        }
        expect(ended).toBeLessThanOrEqual(1);
        if (s.phase === 'ended' && s.offer) expect(released.has(s.offer.agentId)).toBe(true);
      }),
    );
  });
});
