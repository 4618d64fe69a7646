import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_MAX_TURNS, type IvrDefinition } from '../../src/core/ivr/definition.js';
import type { IvrEvent } from '../../src/core/ivr/events.js';
import { startIvr, stepIvr, type IvrCommand, type IvrInput, type IvrState } from '../../src/core/ivr/interpreter.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';

const loaded = validateDefinition(parse(readFileSync(new URL('../../ivr/12366.yaml', import.meta.url), 'utf8')));
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const tree: IvrDefinition = loaded.def;

const TERMINAL = new Set<IvrCommand['kind']>(['enqueue', 'voicemail', 'transfer', 'hangup']);
/**
 * Every input that produces output either takes a turn (node entry, menu replay) or is the
 * playback_finished that starts a menu's timer, once per turn; plus start and the final exit.
 */
const BOUND = 2 * ((tree.maxTurns ?? DEFAULT_MAX_TURNS) + 1) + 2;

type Action =
  | { a: 'dtmf'; digit: string }
  | { a: 'finish' }
  | { a: 'timer' }
  | { a: 'stale_playback'; pick: number }
  | { a: 'stale_timer'; pick: number }
  | { a: 'hangup' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.constantFrom(...'0123456789*#').map((digit) => ({ a: 'dtmf' as const, digit })), weight: 6 },
  { arbitrary: fc.constant({ a: 'finish' as const }), weight: 4 },
  { arbitrary: fc.constant({ a: 'timer' as const }), weight: 3 },
  { arbitrary: fc.nat().map((pick) => ({ a: 'stale_playback' as const, pick })), weight: 1 },
  { arbitrary: fc.nat().map((pick) => ({ a: 'stale_timer' as const, pick })), weight: 1 },
  { arbitrary: fc.constant({ a: 'hangup' as const }), weight: 1 },
);

// Any instant in 2026, so open, closed, holiday and make-up days are all exercised.
const instant = fc.integer({ min: Date.parse('2026-01-01T00:00:00+08:00'), max: Date.parse('2027-01-01T00:00:00+08:00') });

interface Run {
  state: IvrState;
  commands: IvrCommand[];
  events: IvrEvent[];
  effective: number;
  /** Ids issued for playbacks and timers, current or not. */
  playbacks: string[];
  timers: string[];
}

function begin(now: number): { run: Run; ctx: { now: number; newId: () => string } } {
  let n = 0;
  const ctx = { now, newId: () => `id${++n}` };
  const s = startIvr(tree, ctx, { lang: 'zh', callId: 'c' });
  const run: Run = { state: s.state, commands: [...s.commands], events: [...s.events], effective: 1, playbacks: [], timers: [] };
  track(run, s.commands);
  return { run, ctx };
}

function track(run: Run, commands: IvrCommand[]): void {
  for (const c of commands) {
    if (c.kind === 'play') run.playbacks.push(c.playbackId);
    if (c.kind === 'start_timer') run.timers.push(c.timerId);
  }
}

function toInput(run: Run, act: Action): IvrInput {
  const { playbackId, timerId } = run.state;
  switch (act.a) {
    case 'dtmf':
      return { kind: 'dtmf', digit: act.digit };
    case 'finish':
      return { kind: 'playback_finished', playbackId: playbackId ?? 'none' };
    case 'timer':
      return { kind: 'timer_fired', timerId: timerId ?? 'none' };
    case 'stale_playback': {
      const old = run.playbacks.filter((id) => id !== playbackId);
      return { kind: 'playback_finished', playbackId: old.length ? old[act.pick % old.length]! : `never-${act.pick}` };
    }
    case 'stale_timer': {
      const old = run.timers.filter((id) => id !== timerId);
      return { kind: 'timer_fired', timerId: old.length ? old[act.pick % old.length]! : `never-${act.pick}` };
    }
    case 'hangup':
      return { kind: 'caller_hung_up' };
  }
}

function apply(run: Run, ctx: { now: number; newId: () => string }, input: IvrInput): void {
  const step = stepIvr(tree, run.state, input, ctx);
  if (step.commands.length || step.events.length) run.effective++;
  run.state = step.state;
  run.commands.push(...step.commands);
  run.events.push(...step.events);
  track(run, step.commands);
}

describe('IVR properties on the shipped 12366 tree', () => {
  it('any input sequence ends in exactly one hand-off within a bounded number of steps', () => {
    fc.assert(
      fc.property(instant, fc.array(action, { maxLength: 400 }), (now, actions) => {
        const { run, ctx } = begin(now);
        for (const act of actions) {
          if (run.state.phase === 'done') break;
          apply(run, ctx, toInput(run, act));
          expect(run.effective).toBeLessThanOrEqual(BOUND);
        }
        // Then a silent caller: only the adapter's own completions arrive.
        for (let i = 0; run.state.phase !== 'done'; i++) {
          expect(i).toBeLessThan(BOUND);
          const { playbackId, timerId } = run.state;
          expect(playbackId !== undefined || timerId !== undefined).toBe(true);
          apply(run, ctx, playbackId ? { kind: 'playback_finished', playbackId } : { kind: 'timer_fired', timerId: timerId! });
        }
        expect(run.effective).toBeLessThanOrEqual(BOUND);

        const handOffs = run.commands.filter((c) => TERMINAL.has(c.kind));
        const left = run.events.filter((e) => e.type === 'ivr.left');
        expect(left).toHaveLength(1);
        expect(run.events.at(-1)).toBe(left[0]);
        const last = left[0]!;
        expect(handOffs).toHaveLength(last.type === 'ivr.left' && last.reason === 'caller_hung_up' ? 0 : 1);
        if (handOffs.length) expect(run.commands.at(-1)).toBe(handOffs[0]);
      }),
      { numRuns: 500 },
    );
  });

  it('a caller who only ever presses keys still ends within the bound', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...'0123456789*#'), { minLength: 200, maxLength: 200 }), (digits) => {
        const { run, ctx } = begin(Date.parse('2026-03-02T10:00:00+08:00'));
        for (const digit of digits) {
          // Announcements cannot be interrupted, so let them finish; menus get nothing but digits.
          while (run.state.phase === 'playing' || run.state.phase === 'farewell')
            apply(run, ctx, { kind: 'playback_finished', playbackId: run.state.playbackId! });
          if (run.state.phase === 'done') break;
          apply(run, ctx, { kind: 'dtmf', digit });
        }
        expect(run.state.phase).toBe('done');
        expect(run.effective).toBeLessThanOrEqual(BOUND);
      }),
    );
  });

  it('stale playback and timer ids change nothing', () => {
    fc.assert(
      fc.property(instant, fc.array(action, { maxLength: 60 }), fc.nat(), (now, actions, pick) => {
        const { run, ctx } = begin(now);
        for (const act of actions) {
          if (run.state.phase === 'done') break;
          apply(run, ctx, toInput(run, act));
        }
        for (const act of [
          { a: 'stale_playback', pick },
          { a: 'stale_timer', pick },
        ] as const) {
          const before = structuredClone(run.state);
          const step = stepIvr(tree, run.state, toInput(run, act), ctx);
          expect(step.commands).toEqual([]);
          expect(step.events).toEqual([]);
          expect(step.state).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('at most one playback or timer is current, and it is the last one issued', () => {
    fc.assert(
      fc.property(instant, fc.array(action, { maxLength: 100 }), (now, actions) => {
        const { run, ctx } = begin(now);
        for (const act of actions) {
          if (run.state.phase === 'done') break;
          apply(run, ctx, toInput(run, act));
          const { playbackId, timerId, phase } = run.state;
          expect(playbackId !== undefined && timerId !== undefined).toBe(false);
          if (playbackId !== undefined) expect(playbackId).toBe(run.playbacks.at(-1));
          if (timerId !== undefined) expect(timerId).toBe(run.timers.at(-1));
          if (phase === 'menu_wait') expect(timerId).toBeDefined();
          if (phase === 'menu_prompt' || phase === 'playing' || phase === 'farewell') expect(playbackId).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});
