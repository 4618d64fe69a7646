import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { HoursNode, IvrDefinition } from '../../src/core/ivr/definition.js';
import type { IvrEvent } from '../../src/core/ivr/events.js';
import {
  isOpenAt,
  startIvr,
  stepIvr,
  type IvrCommand,
  type IvrInput,
  type IvrState,
  type IvrStep,
} from '../../src/core/ivr/interpreter.js';
import { validateDefinition } from '../../src/core/ivr/validate.js';

function load(def: unknown = parse(readFileSync(new URL('../../ivr/12366.yaml', import.meta.url), 'utf8'))): IvrDefinition {
  const r = validateDefinition(def);
  if (!r.ok) throw new Error(JSON.stringify(r.errors, null, 2));
  return r.def;
}

/** Shanghai wall time -> epoch ms (UTC+8, no DST). */
const shanghai = (date: string, time: string): number => Date.parse(`${date}T${time}:00+08:00`);
const OPEN = shanghai('2026-03-02', '10:00'); // a Monday morning
const CLOSED = shanghai('2026-03-02', '12:30'); // lunch

/** Drives one call and remembers everything it was told to do. */
class Call {
  state: IvrState;
  last: IvrStep;
  readonly commands: IvrCommand[] = [];
  readonly events: IvrEvent[] = [];
  private n = 0;
  private readonly ctx;

  constructor(
    readonly def: IvrDefinition,
    now = OPEN,
  ) {
    this.ctx = { now, newId: () => `id${++this.n}` };
    this.last = startIvr(def, this.ctx, { lang: 'zh', callId: 'call-1' });
    this.state = this.record(this.last);
  }

  private record(step: IvrStep): IvrState {
    this.commands.push(...step.commands);
    this.events.push(...step.events);
    return step.state;
  }

  send(input: IvrInput): IvrStep {
    this.last = stepIvr(this.def, this.state, input, this.ctx);
    this.state = this.record(this.last);
    return this.last;
  }

  press(digits: string): IvrStep {
    for (const digit of digits) this.send({ kind: 'dtmf', digit });
    return this.last;
  }

  finish(): IvrStep {
    if (!this.state.playbackId) throw new Error(`nothing playing at ${this.state.nodeId} (${this.state.phase})`);
    return this.send({ kind: 'playback_finished', playbackId: this.state.playbackId });
  }

  timeout(): IvrStep {
    if (!this.state.timerId) throw new Error(`no timer at ${this.state.nodeId} (${this.state.phase})`);
    return this.send({ kind: 'timer_fired', timerId: this.state.timerId });
  }

  /** Welcome played, hours checked: the main menu prompt is playing. */
  atMain(): this {
    this.finish();
    expect(this.state).toMatchObject({ nodeId: 'main', phase: 'menu_prompt' });
    return this;
  }

  left(): IvrEvent | undefined {
    return this.events.find((e) => e.type === 'ivr.left');
  }
}

const tree = load();

describe('startIvr', () => {
  it('enters, visits the start node and plays its prompt', () => {
    const call = new Call(tree);
    expect(call.last.commands).toEqual([{ kind: 'play', playbackId: call.state.playbackId, prompts: ['welcome'] }]);
    expect(call.last.events.map((e) => e.type)).toEqual(['ivr.entered', 'ivr.node_visited']);
    expect(call.last.events[0]).toMatchObject({ callId: 'call-1', definition: '12366-default', v: 1, at: new Date(OPEN).toISOString() });
    expect(call.state).toMatchObject({ nodeId: 'welcome', phase: 'playing', lang: 'zh' });
  });

  it('goes from welcome through the hours check to the main menu in office hours', () => {
    const call = new Call(tree);
    const step = call.finish();
    expect(step.commands).toEqual([{ kind: 'play', playbackId: call.state.playbackId, prompts: ['main-menu'] }]);
    expect(step.events.map((e) => e.type === 'ivr.node_visited' && e.nodeId)).toEqual(['office-hours', 'main']);
  });
});

describe('menus', () => {
  it('2 then 1 reaches the VAT queue, barging in on each prompt', () => {
    const call = new Call(tree).atMain();
    const mainPlayback = call.state.playbackId;
    const two = call.press('2');
    expect(two.commands[0]).toEqual({ kind: 'stop_playback', playbackId: mainPlayback });
    expect(two.commands[1]).toMatchObject({ kind: 'play', prompts: ['ntax-menu'] });
    const ntaxPlayback = call.state.playbackId;
    const one = call.press('1');
    expect(one.commands).toEqual([
      { kind: 'stop_playback', playbackId: ntaxPlayback },
      { kind: 'enqueue', queue: 'ntax-vat', skills: { vat: 1 }, priority: 0, line: '国税', subLine: '增值税' },
    ]);
    expect(one.events.map((e) => e.type)).toEqual(['ivr.node_visited', 'ivr.left']);
    expect(call.left()).toMatchObject({ nodeId: 'ntax.vat', reason: 'queued', queue: 'ntax-vat', callId: 'call-1' });
    expect(call.state.phase).toBe('done');
    expect(call.state.path).toEqual([
      { nodeId: 'welcome' },
      { nodeId: 'office-hours' },
      { nodeId: 'main' },
      { nodeId: 'ntax', digit: '2' },
      { nodeId: 'ntax.vat', digit: '1' },
    ]);
  });

  it('a key pressed during the welcome cuts it short (barge-in) and counts: "2" then "1" reach VAT', () => {
    const call = new Call(tree);
    const welcome = call.state.playbackId!;
    const first = call.press('2');
    expect(first.commands[0]).toEqual({ kind: 'stop_playback', playbackId: welcome });
    expect(call.state.nodeId).toBe('ntax');
    const second = call.press('1');
    expect(second.commands.at(-1)).toEqual({
      kind: 'enqueue',
      queue: 'ntax-vat',
      skills: { vat: 1 },
      priority: 0,
      line: '国税',
      subLine: '增值税',
    });
    expect(
      call.events.filter((e) => e.type === 'ivr.node_visited').map((e) => e.type === 'ivr.node_visited' && [e.nodeId, e.digit]),
    ).toEqual([
      ['welcome', undefined],
      ['office-hours', undefined],
      ['main', undefined],
      ['ntax', '2'],
      ['ntax.vat', '1'],
    ]);
  });

  it('"21" arriving back to back during the main prompt reaches VAT', () => {
    const call = new Call(tree).atMain();
    call.press('21');
    expect(call.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'ntax-vat' });
  });

  it('an invalid digit plays the invalid prompt and asks again', () => {
    const call = new Call(tree).atMain();
    const playing = call.state.playbackId;
    const step = call.press('7');
    expect(step.commands).toEqual([
      { kind: 'stop_playback', playbackId: playing },
      { kind: 'play', playbackId: call.state.playbackId, prompts: ['invalid', 'main-menu'] },
    ]);
    expect(call.state).toMatchObject({ nodeId: 'main', phase: 'menu_prompt', failures: 1 });
    expect(step.events).toEqual([
      expect.objectContaining({ type: 'ivr.input_failed', nodeId: 'main', reason: 'invalid', digit: '7', attempt: 1 }),
    ]);
  });

  it('an invalid key during the welcome gets the invalid prompt, and the next key barges in on that', () => {
    const call = new Call(tree);
    const step = call.press('7');
    expect(step.commands.at(-1)).toEqual({ kind: 'play', playbackId: call.state.playbackId, prompts: ['invalid', 'main-menu'] });
    call.press('2');
    expect(call.state.nodeId).toBe('ntax');
    expect(call.state.digits).toEqual([]);
  });

  it('silence times out, re-asks, and after the retries goes to onRetriesExhausted', () => {
    const call = new Call(tree).atMain();
    for (let attempt = 1; attempt <= 2; attempt++) {
      const started = call.finish();
      expect(started.commands).toEqual([{ kind: 'start_timer', timerId: call.state.timerId, ms: 6000 }]);
      expect(call.state.phase).toBe('menu_wait');
      const fired = call.timeout();
      expect(fired.commands).toEqual([{ kind: 'play', playbackId: call.state.playbackId, prompts: ['no-input', 'main-menu'] }]);
      expect(call.state.failures).toBe(attempt);
    }
    call.finish();
    const exhausted = call.timeout();
    expect(exhausted.commands).toEqual([{ kind: 'play', playbackId: call.state.playbackId, prompts: ['to-agent'] }]);
    expect(call.state.nodeId).toBe('to-agent');
    call.finish();
    expect(call.commands.at(-1)).toEqual({ kind: 'enqueue', queue: 'other', skills: {}, priority: 0, line: '其它' });
    expect(call.left()).toMatchObject({ nodeId: 'other', reason: 'retries_exhausted', queue: 'other' });
  });

  it('invalid digits and timeouts count together towards the retries', () => {
    const call = new Call(tree).atMain();
    call.press('7');
    call.finish();
    call.timeout();
    call.press('8');
    expect(call.state.nodeId).toBe('to-agent');
  });

  it('a digit while waiting cancels the timer', () => {
    const call = new Call(tree).atMain();
    call.finish();
    const timerId = call.state.timerId;
    const step = call.press('3');
    expect(step.commands[0]).toEqual({ kind: 'cancel_timer', timerId });
    expect(call.state.nodeId).toBe('ltax');
  });

  it('* goes back to the previous menu', () => {
    const call = new Call(tree).atMain();
    call.press('3');
    const step = call.press('*');
    expect(call.state).toMatchObject({ nodeId: 'main', phase: 'menu_prompt', history: [] });
    expect(step.commands.at(-1)).toMatchObject({ kind: 'play', prompts: ['main-menu'] });
    expect(step.events).toEqual([expect.objectContaining({ type: 'ivr.node_visited', nodeId: 'main', digit: '*' })]);
    call.press('1');
    expect(call.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'finance', skills: { finance: 1 }, line: '财政' });
  });

  it('* at the top menu repeats it', () => {
    const call = new Call(tree).atMain();
    const step = call.press('*');
    expect(step.commands.at(-1)).toMatchObject({ kind: 'play', prompts: ['main-menu'] });
    expect(call.state).toMatchObject({ nodeId: 'main', failures: 0 });
  });

  it('9 repeats the current menu without counting a failure', () => {
    const call = new Call(tree).atMain();
    call.press('2');
    call.press('7');
    const playing = call.state.playbackId;
    const step = call.press('9');
    expect(step.commands).toEqual([
      { kind: 'stop_playback', playbackId: playing },
      { kind: 'play', playbackId: call.state.playbackId, prompts: ['ntax-menu'] },
    ]);
    expect(call.state).toMatchObject({ nodeId: 'ntax', failures: 1 });
    expect(step.events).toEqual([]);
  });

  it('0 reaches the operator from a sub-menu by convention', () => {
    const call = new Call(tree).atMain();
    call.press('30');
    expect(call.commands.at(-1)).toEqual({ kind: 'enqueue', queue: 'other', skills: {}, priority: 0, line: '其它' });
    expect(call.left()).toMatchObject({ nodeId: 'other', reason: 'queued', queue: 'other' });
    expect(call.state.path.at(-1)).toEqual({ nodeId: 'other', digit: '0' });
  });

  it('the caller hanging up in a sub-menu leaves from that node', () => {
    const call = new Call(tree).atMain();
    call.press('2');
    call.finish();
    const timerId = call.state.timerId;
    const step = call.send({ kind: 'caller_hung_up' });
    expect(step.commands).toEqual([{ kind: 'cancel_timer', timerId }]);
    expect(step.events).toEqual([
      expect.objectContaining({ type: 'ivr.left', callId: 'call-1', nodeId: 'ntax', reason: 'caller_hung_up' }),
    ]);
    expect(call.state.phase).toBe('done');
    expect(call.press('1').commands).toEqual([]);
  });

  it('ignores stale playback and timer ids', () => {
    const call = new Call(tree).atMain();
    const oldPlayback = call.state.playbackId!;
    call.press('2');
    const before = call.state;
    expect(call.send({ kind: 'playback_finished', playbackId: oldPlayback })).toEqual({ state: before, commands: [], events: [] });
    call.finish();
    const oldTimer = call.state.timerId!;
    call.press('9');
    const again = call.state;
    expect(call.send({ kind: 'timer_fired', timerId: oldTimer })).toEqual({ state: again, commands: [], events: [] });
  });
});

describe('closed hours', () => {
  it('plays the closed message and then takes a voicemail for a callback', () => {
    const call = new Call(tree, CLOSED);
    const step = call.finish();
    expect(step.commands).toEqual([{ kind: 'play', playbackId: call.state.playbackId, prompts: ['closed'] }]);
    expect(call.state.nodeId).toBe('after-hours');
    call.finish();
    expect(call.commands.at(-1)).toEqual({ kind: 'voicemail', prompt: 'leave-message', maxSeconds: 120, queue: 'other' });
    expect(call.left()).toMatchObject({ nodeId: 'callback', reason: 'voicemail', queue: 'other' });
  });
});

describe('isOpenAt', () => {
  const hours = tree.nodes['office-hours'] as HoursNode;
  const cases: Array<[string, string, string, boolean]> = [
    ['a Monday morning', '2026-03-02', '10:00', true],
    ['opening minute', '2026-03-02', '08:30', true],
    ['a minute before opening', '2026-03-02', '08:29', false],
    ['lunch', '2026-03-02', '12:00', false],
    ['afternoon', '2026-03-02', '13:30', true],
    ['closing minute', '2026-03-02', '17:30', false],
    ['a Friday afternoon', '2026-03-06', '17:29', true],
    ['a plain Saturday', '2026-03-07', '10:00', false],
    ['a plain Sunday', '2026-03-08', '10:00', false],
    ['National Day (a Friday holiday)', '2026-10-02', '10:00', false],
    ['Spring Festival Monday', '2026-02-23', '10:00', false],
    ['make-up workday Saturday 10 Oct', '2026-10-10', '10:00', true],
    ['make-up workday at lunch', '2026-10-10', '12:30', false],
    ['make-up workday Sunday 4 Jan', '2026-01-04', '09:00', true],
  ];
  for (const [what, date, time, open] of cases) {
    it(`${what}: ${date} ${time} is ${open ? 'open' : 'closed'}`, () => {
      expect(isOpenAt(hours, shanghai(date, time))).toBe(open);
    });
  }

  it('uses the node time zone, not the machine one', () => {
    const utc: HoursNode = { ...hours, timezone: 'UTC', holidays: [], workdays: [] };
    const at = Date.parse('2026-03-02T10:00:00Z'); // 18:00 in Shanghai
    expect(isOpenAt(utc, at)).toBe(true);
    expect(isOpenAt(hours, at)).toBe(false);
  });

  it('uses workdayHours on a make-up day when given', () => {
    const short: HoursNode = { ...hours, workdayHours: [['09:00', '11:00']] };
    expect(isOpenAt(short, shanghai('2026-10-10', '10:00'))).toBe(true);
    expect(isOpenAt(short, shanghai('2026-10-10', '14:00'))).toBe(false);
  });
});

describe('definitions beyond the shipped tree', () => {
  const base = (nodes: Record<string, unknown>, extra: Record<string, unknown> = {}): IvrDefinition =>
    load({
      name: 't',
      start: 'm',
      operator: 'op',
      prompts: { p: { zh: '请选择' }, bye: { zh: '再见' }, oops: { zh: '错误' } },
      nodes: { op: { kind: 'queue', queue: 'other', skills: {}, line: '其它', priority: 5 }, ...nodes },
      ...extra,
    });

  it('a digit defined in options wins over its convention; conventions can be turned off', () => {
    const def = base({
      m: {
        kind: 'menu',
        prompt: 'p',
        options: { '9': 'vat', '1': 'n' },
        onRetriesExhausted: 'op',
        invalidPrompt: 'oops',
      },
      n: { kind: 'menu', prompt: 'p', options: {}, onRetriesExhausted: 'op', conventions: { back: false, repeat: false, operator: false } },
      vat: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 3 }, line: '国税', subLine: '增值税' },
    });
    const a = new Call(def);
    a.press('9');
    expect(a.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'ntax-vat', skills: { vat: 3 } });
    const b = new Call(def);
    b.press('1');
    for (const d of '*9') {
      const step = b.press(d);
      expect(step.commands.at(-1)).toMatchObject({ kind: 'play', prompts: ['p'] }); // no invalid prompt set
    }
    b.press('0'); // third failure: retries (default 2) are exhausted
    expect(b.state.nodeId).toBe('op');
    expect(b.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'other', priority: 5 });
    expect(b.left()).toMatchObject({ reason: 'retries_exhausted' });
  });

  it('retries: 0 sends the first failure straight on', () => {
    const def = base({
      m: { kind: 'menu', prompt: 'p', options: { '1': 'bye' }, onRetriesExhausted: 'bye', retries: 0, timeoutS: 3 },
      bye: { kind: 'hangup', prompt: 'bye' },
    });
    const call = new Call(def);
    expect(call.finish().commands).toEqual([{ kind: 'start_timer', timerId: call.state.timerId, ms: 3000 }]);
    call.timeout();
    expect(call.state).toMatchObject({ nodeId: 'bye', phase: 'farewell' });
    expect(call.press('1').commands).toEqual([]); // digits during a farewell are ignored
    call.finish();
    expect(call.commands.at(-1)).toEqual({ kind: 'hangup' });
    expect(call.left()).toMatchObject({ nodeId: 'bye', reason: 'retries_exhausted' });
  });

  it('transfer plays its prompt, then transfers', () => {
    const def = base({
      m: { kind: 'menu', prompt: 'p', options: { '1': 'out' }, onRetriesExhausted: 'op' },
      out: { kind: 'transfer', number: '12345', prompt: 'bye' },
    });
    const call = new Call(def);
    call.press('1');
    expect(call.state.phase).toBe('farewell');
    call.finish();
    expect(call.commands.at(-1)).toEqual({ kind: 'transfer', number: '12345' });
    expect(call.left()).toMatchObject({ nodeId: 'out', reason: 'transferred' });
  });

  it('a caller bouncing between menus is sent to the operator after maxTurns', () => {
    const def = base(
      {
        m: { kind: 'menu', prompt: 'p', options: { '1': 'n' }, onRetriesExhausted: 'op' },
        n: { kind: 'menu', prompt: 'p', options: { '1': 'm' }, onRetriesExhausted: 'op' },
      },
      { maxTurns: 6 },
    );
    const call = new Call(def);
    call.press('1'.repeat(20));
    expect(call.state.turns).toBe(7);
    expect(call.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'other' });
    expect(call.left()).toMatchObject({ nodeId: 'op', reason: 'retries_exhausted' });
    expect(call.events.filter((e) => e.type === 'ivr.left')).toHaveLength(1);
  });

  it('without a queue operator the turn cap hangs up', () => {
    const def = base(
      { m: { kind: 'menu', prompt: 'p', options: { '1': 'm' }, onRetriesExhausted: 'op', conventions: { operator: false } } },
      { maxTurns: 5, operator: undefined },
    );
    const call = new Call(def);
    call.press('1111111');
    expect(call.commands.at(-1)).toEqual({ kind: 'hangup' });
    expect(call.left()).toMatchObject({ nodeId: 'm', reason: 'retries_exhausted' });
  });

  it('a burst of keys during an announcement never grows the digit buffer past MAX_BUFFERED_DIGITS', () => {
    const call = new Call(tree);
    call.press('1'.repeat(40));
    expect(call.state.digits.length).toBeLessThanOrEqual(16);
    expect(call.commands.at(-1)).toMatchObject({ kind: 'enqueue', queue: 'finance' });
  });
});
