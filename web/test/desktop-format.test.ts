import { describe, expect, it } from 'vitest';
import {
  actionsFor,
  keysLabel,
  outcomeName,
  reconnectDelayMs,
  secondsInState,
  STATE_NAMES,
  waitSeconds,
  type AgentState,
} from '../src/pages/agent/desktop-format';
import { moves } from '../../src/core/agents/state';

const STATES = Object.keys(STATE_NAMES) as AgentState[];

describe('agent desktop: buttons', () => {
  it('offers exactly the moves the service accepts from each state (src/core/agents/state.ts)', () => {
    const from = (m: keyof typeof moves) => (moves[m].from as readonly string[]).filter((s) => s !== 'reserved');
    for (const s of STATES) {
      const a = actionsFor(s);
      expect(a.login, s).toBe(from('login').includes(s));
      expect(a.available, s).toBe(from('unpause').includes(s));
      expect(a.pause, s).toBe(from('pause').includes(s));
      expect(a.endWrapUp, s).toBe(from('endWrapUp').includes(s));
      expect(a.logout, s).toBe(from('logout').includes(s));
    }
  });
  it('a logged-out agent may only log in; ringing or talking, nothing', () => {
    expect(actionsFor('logged_out')).toEqual({ login: true, available: false, pause: false, endWrapUp: false, logout: false });
    for (const s of ['reserved', 'on_call'] as const) expect(Object.values(actionsFor(s)).some(Boolean)).toBe(false);
  });
});

describe('agent desktop: the pop in words', () => {
  it('keys read 2 → 1; none read —', () => {
    expect(keysLabel(['2', '1'])).toBe('2 → 1');
    expect(keysLabel([])).toBe('—');
  });
  it('outcomes have Chinese names; a call still going has none yet; an unknown one shows as stored', () => {
    expect(outcomeName('answered')).toEqual(['已接听', 'Answered']);
    expect(outcomeName('abandoned')[0]).toBe('放弃');
    expect(outcomeName(null)[0]).toBe('进行中');
    expect(outcomeName('something_new')).toEqual(['something_new', 'something_new']);
  });
  it('the wait runs until the answer, or until now while ringing; none without a queue', () => {
    expect(waitSeconds({ queuedAt: 1000, answeredAt: 6000 }, 99_000)).toBe(5);
    expect(waitSeconds({ queuedAt: 1000, answeredAt: null }, 4000)).toBe(3);
    expect(waitSeconds({ queuedAt: null, answeredAt: null }, 4000)).toBeNull();
    // A page clock a little behind the server's never shows a negative wait.
    expect(waitSeconds({ queuedAt: 5000, answeredAt: null }, 4000)).toBe(0);
  });
  it('time in state from the server-corrected clock', () => {
    expect(secondsInState(10_000, 75_000)).toBe(65);
    expect(secondsInState(null, 75_000)).toBeNull();
  });
  it('reconnects back off from 0.5 s to at most 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
