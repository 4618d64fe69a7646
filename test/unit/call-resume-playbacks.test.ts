import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  playbacksOf,
  replacedOnResume,
  resumeCall,
  startCall,
  stepCall,
  type CallEnv,
  type CallInput,
  type CallStep,
} from '../../src/core/call/session.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { callEnv, clock } from './call-fixtures.js';

// A survivor (or a restarted instance) resumes a call while Asterisk still plays the prompt the
// last process started, and Asterisk runs a channel's commands one after another. The prompt the
// resumed call no longer waits for is stopped before anything else, or it holds back the
// survivor's move of the channel (its hang-up then went to the dead instance's app, CI's
// rolling-restart) and the re-planned prompt.
function withWelcome(): CallEnv {
  const r = validateDefinition({
    name: 'unit',
    start: 'welcome',
    prompts: { welcome: { zh: '欢迎致电12366' }, menu: { zh: '人工服务请按零' } },
    nodes: {
      welcome: { kind: 'play', prompt: 'welcome', next: 'menu' },
      menu: { kind: 'menu', prompt: 'menu', options: { '0': 'q' }, timeoutS: 5, retries: 1, onRetriesExhausted: 'q' },
      q: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, priority: 1, line: '国税', subLine: '增值税' },
    },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { ...callEnv(), ivr: r.def };
}
const ENV = withWelcome();
const caller = { callId: 'c1', channelId: 'ch1', caller: '057185187424', dialed: '12366', lang: 'zh' as const, ivrVersion: 3 };
const playOf = (s: CallStep) => s.commands.find((k) => k.kind === 'play') as { playbackId: string } | undefined;

describe('resuming a call stops the prompts it no longer waits for, first', () => {
  it('in the welcome: the welcome is stopped before the menu is asked', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, caller);
    const welcome = playOf(s0)!.playbackId;
    const r = resumeCall(c.ctx(), ENV, s0.state, { callerAlive: true });
    expect(r.commands[0]).toEqual({ kind: 'stop_playback', playbackId: welcome });
    expect(r.commands.map((k) => k.kind)).toContain('play');
    expect(playOf(r)!.playbackId).not.toBe(welcome);
  });

  it('a prompt the resumed call still waits for plays on (a waiting caller hearing their place)', () => {
    const c = clock();
    let s = startCall(c.ctx(), callEnv(), caller);
    c.advance(2000);
    const timer = s.commands.find((k) => k.kind === 'start_timer') as { timerId: string };
    s = stepCall(c.ctx(), callEnv(), s.state, { kind: 'timer_fired', timerId: timer.timerId });
    expect(s.state.announce?.playbackId).toBeDefined();
    const r = resumeCall(c.ctx(), callEnv(), s.state, { callerAlive: true });
    expect(r.commands.filter((k) => k.kind === 'stop_playback')).toEqual([]);
  });

  it('a caller gone: nothing is stopped', () => {
    const c = clock();
    const s0 = startCall(c.ctx(), ENV, caller);
    const r = resumeCall(c.ctx(), ENV, s0.state, { callerAlive: false });
    expect(r.commands.filter((k) => k.kind === 'stop_playback')).toEqual([]);
  });

  it('property: wherever a call stands, resume stops exactly the playbacks it stopped referring to, before any other command', () => {
    const input = fc.oneof(
      fc.constant<CallInput>({ kind: 'dtmf', digit: '0' }),
      fc.constant<CallInput>({ kind: 'dtmf', digit: '9' }),
      fc.constant<'pb' | 'timer'>('pb'),
      fc.constant<'pb' | 'timer'>('timer'),
      fc.constant<CallInput>({ kind: 'agent_reserved', agentId: '1001', endpoint: 'PJSIP/1001' }),
    );
    fc.assert(
      fc.property(fc.array(input, { maxLength: 8 }), fc.boolean(), (inputs, agentUp) => {
        const c = clock();
        let s = startCall(c.ctx(), ENV, caller);
        for (const i of inputs) {
          c.advance(500);
          let next: CallInput | undefined;
          if (i === 'pb') {
            const p = [...s.commands].reverse().find((k) => k.kind === 'play' || k.kind === 'announce_position') as
              { playbackId: string } | undefined;
            if (p) next = { kind: 'playback_finished', playbackId: p.playbackId };
          } else if (i === 'timer') {
            const t = [...s.commands].reverse().find((k) => k.kind === 'start_timer') as { timerId: string } | undefined;
            if (t) next = { kind: 'timer_fired', timerId: t.timerId };
          } else next = i;
          if (next) s = stepCall(c.ctx(), ENV, s.state, next);
        }
        const before = playbacksOf(s.state);
        const r = resumeCall(c.ctx(), ENV, s.state, {
          callerAlive: true,
          agentLeg: s.state.offer ? (agentUp ? 'up' : 'ringing') : undefined,
        });
        const after = playbacksOf(r.state);
        const stops = r.commands.filter((k) => k.kind === 'stop_playback').map((k) => (k as { playbackId: string }).playbackId);
        expect(new Set(stops)).toEqual(new Set([...before].filter((id) => !after.has(id))));
        expect(r.commands.slice(0, stops.length).every((k) => k.kind === 'stop_playback')).toBe(true);
        // What a survivor stops before moving the channel is among them.
        expect(stops).toEqual(expect.arrayContaining(replacedOnResume(s.state)));
      }),
      { numRuns: 300 },
    );
  });
});
