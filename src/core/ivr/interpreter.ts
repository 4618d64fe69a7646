import type { Ctx } from '../events.js';
import type { Lang } from '../lang.js';
import {
  DEFAULT_MAX_TURNS,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_S,
  DEFAULT_TIMEZONE,
  type HoursNode,
  type IvrDefinition,
  type IvrNode,
  type Line,
  type MenuNode,
  type TimeRange,
  type Weekday,
  toMinutes,
} from './definition.js';
import { stampIvr, type IvrEvent, type IvrLeftReason } from './events.js';

/**
 * Walks a validated IvrDefinition for one call: (def, state, input, ctx) -> (state, commands, events).
 * Pure: the adapter plays prompts, runs timers and reports back; ids come from ctx.newId so a
 * late playback_finished or timer_fired for something already superseded is recognised and ignored.
 */

/**
 * menu_prompt: the menu (possibly led by an invalid/timeout notice) is playing; digits barge in.
 * menu_wait: prompt done, timeout timer running. playing: a play node; digits are buffered.
 * farewell: the prompt of a transfer/hangup node; digits are ignored. done: the call left the IVR.
 */
export type IvrPhase = 'menu_prompt' | 'menu_wait' | 'playing' | 'farewell' | 'done';

export interface PathEntry {
  nodeId: string;
  digit?: string;
}

export interface IvrState {
  callId: string;
  lang: Lang;
  definition: string;
  nodeId: string;
  phase: IvrPhase;
  playbackId?: string;
  timerId?: string;
  /** Invalid digits and timeouts at the current menu. */
  failures: number;
  /** Node entries plus menu replays; capped by the definition's maxTurns. */
  turns: number;
  /** Type-ahead: digits received while nothing could act on them yet. */
  digits: string[];
  /** Menus '*' returns to, most recent last. */
  history: string[];
  path: PathEntry[];
  /** Set when the caller was moved on for failing a menu, so ivr.left can say so. */
  exhausted: boolean;
}

export type IvrInput =
  | { kind: 'dtmf'; digit: string }
  | { kind: 'playback_finished'; playbackId: string }
  | { kind: 'timer_fired'; timerId: string }
  | { kind: 'caller_hung_up' };

export type IvrCommand =
  | { kind: 'play'; playbackId: string; prompts: string[] }
  | { kind: 'stop_playback'; playbackId: string }
  | { kind: 'start_timer'; timerId: string; ms: number }
  | { kind: 'cancel_timer'; timerId: string }
  | { kind: 'enqueue'; queue: string; skills: Record<string, number>; priority: number; line: Line; subLine?: string }
  | { kind: 'voicemail'; prompt: string; maxSeconds: number; queue: string }
  | { kind: 'transfer'; number: string }
  | { kind: 'hangup' };

export interface IvrStep {
  state: IvrState;
  commands: IvrCommand[];
  events: IvrEvent[];
}

/** A caller mashing keys during a long announcement should not grow the state without bound. */
export const MAX_BUFFERED_DIGITS = 16;

interface Work {
  def: IvrDefinition;
  ctx: Ctx;
  s: IvrState;
  commands: IvrCommand[];
  events: IvrEvent[];
}

export function startIvr(def: IvrDefinition, ctx: Ctx, opts: { lang: Lang; callId: string }): IvrStep {
  const s: IvrState = {
    callId: opts.callId,
    lang: opts.lang,
    definition: def.name,
    nodeId: def.start,
    phase: 'playing',
    failures: 0,
    turns: 0,
    digits: [],
    history: [],
    path: [],
    exhausted: false,
  };
  const w: Work = { def, ctx, s, commands: [], events: [] };
  w.events.push(stampIvr(ctx, { type: 'ivr.entered', callId: s.callId, definition: def.name }));
  enter(w, def.start);
  return { state: w.s, commands: w.commands, events: w.events };
}

export function stepIvr(def: IvrDefinition, state: IvrState, input: IvrInput, ctx: Ctx): IvrStep {
  const same: IvrStep = { state, commands: [], events: [] };
  if (state.phase === 'done') return same;
  const w: Work = {
    def,
    ctx,
    s: { ...state, digits: [...state.digits], history: [...state.history], path: [...state.path] },
    commands: [],
    events: [],
  };
  switch (input.kind) {
    case 'caller_hung_up':
      // The channel is gone, so there is nothing to stop playing; only our own timer needs cancelling.
      if (w.s.timerId !== undefined) w.commands.push({ kind: 'cancel_timer', timerId: w.s.timerId });
      w.s.timerId = undefined;
      w.s.playbackId = undefined;
      leave(w, 'caller_hung_up');
      break;
    case 'playback_finished':
      if (state.playbackId === undefined || input.playbackId !== state.playbackId) return same;
      w.s.playbackId = undefined;
      playbackDone(w);
      break;
    case 'timer_fired':
      if (state.phase !== 'menu_wait' || state.timerId === undefined || input.timerId !== state.timerId) return same;
      w.s.timerId = undefined;
      fail(w, menuAt(w), 'timeout');
      break;
    case 'dtmf':
      if (state.phase === 'menu_prompt' || state.phase === 'menu_wait') {
        quiet(w);
        menuDigit(w, menuAt(w), input.digit);
      } else if (state.phase === 'playing') {
        // Barge-in: a key cuts an announcement short (a caller who knows the menu need not
        // sit through the welcome) and is kept, in order, for the next menu to act on.
        if (state.digits.length >= MAX_BUFFERED_DIGITS) return same;
        w.s.digits.push(input.digit);
        if (w.s.playbackId !== undefined) {
          quiet(w);
          playbackDone(w);
        }
      } else {
        return same;
      }
      break;
  }
  return { state: w.s, commands: w.commands, events: w.events };
}

/**
 * Picks a caller up again after the service restarted: the playback and timer it was waiting
 * for belong to the old process, so the current menu is asked again (a play node moves on, a
 * farewell is finished). The caller hears the menu once more rather than silence.
 */
export function resumeIvr(def: IvrDefinition, state: IvrState, ctx: Ctx): IvrStep {
  if (state.phase === 'done') return { state, commands: [], events: [] };
  const w: Work = { def, ctx, s: { ...state, digits: [], playbackId: undefined, timerId: undefined }, commands: [], events: [] };
  const node = nodeOf(def, state.nodeId);
  if (node.kind === 'menu') ask(w, node, []);
  else if (node.kind === 'play') enter(w, node.next);
  else if (node.kind === 'transfer' || node.kind === 'hangup') farewellDone(w, node);
  return { state: w.s, commands: w.commands, events: w.events };
}

/** Whether an hours node routes to `open` at instant `now` (epoch ms). */
export function isOpenAt(node: HoursNode, now: number): boolean {
  const { date, weekday, minutes } = wallClock(now, node.timezone ?? DEFAULT_TIMEZONE);
  if ((node.holidays ?? []).some((h) => date >= h.from && date <= (h.to ?? h.from))) return false;
  let ranges: readonly TimeRange[];
  if ((node.workdays ?? []).includes(date)) {
    const weekdayHours = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => node.weekly[d]).find((r) => r?.length);
    ranges = node.workdayHours ?? weekdayHours ?? [];
  } else {
    ranges = node.weekly[weekday] ?? [];
  }
  return ranges.some(([from, to]) => minutes >= toMinutes(from) && minutes < toMinutes(to));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local calendar date, weekday and minute of day in `timeZone`; Intl does the zone arithmetic. */
export function wallClock(now: number, timeZone: string): { date: string; weekday: Weekday; minutes: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(now)) p[part.type] = part.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: (p.weekday ?? '').toLowerCase() as Weekday,
    minutes: (Number(p.hour) % 24) * 60 + Number(p.minute),
  };
}

function nodeOf(def: IvrDefinition, nodeId: string): IvrNode {
  const node = def.nodes[nodeId];
  if (!node) throw new Error(`IVR "${def.name}" has no node "${nodeId}"; validate definitions before use`);
  return node;
}

function menuAt(w: Work): MenuNode {
  const node = nodeOf(w.def, w.s.nodeId);
  if (node.kind !== 'menu') throw new Error(`IVR node "${w.s.nodeId}" is a ${node.kind}, not a menu`);
  return node;
}

/** Counts a turn; past the cap the caller is sent to a person (or hung up) instead. */
function takeTurn(w: Work): boolean {
  w.s.turns++;
  if (w.s.turns <= (w.def.maxTurns ?? DEFAULT_MAX_TURNS)) return true;
  w.s.exhausted = true;
  const op = w.def.operator;
  // Only a queue operator is a guaranteed exit; anything else could loop again.
  if (op !== undefined && w.def.nodes[op]?.kind === 'queue') arrive(w, op);
  else terminal(w, { kind: 'hangup' }, 'hangup');
  return false;
}

function enter(w: Work, nodeId: string, digit?: string): void {
  if (takeTurn(w)) arrive(w, nodeId, digit);
}

function arrive(w: Work, nodeId: string, digit?: string): void {
  const node = nodeOf(w.def, nodeId);
  w.s.nodeId = nodeId;
  w.s.failures = 0;
  w.s.path.push(digit === undefined ? { nodeId } : { nodeId, digit });
  w.events.push(stampIvr(w.ctx, { type: 'ivr.node_visited', callId: w.s.callId, nodeId, ...(digit === undefined ? {} : { digit }) }));
  switch (node.kind) {
    case 'menu':
      w.s.exhausted = false;
      ask(w, node, []);
      return;
    case 'play':
      play(w, [node.prompt]);
      w.s.phase = 'playing';
      return;
    case 'hours':
      enter(w, isOpenAt(node, w.ctx.now) ? node.open : node.closed);
      return;
    case 'queue':
      terminal(
        w,
        {
          kind: 'enqueue',
          queue: node.queue,
          skills: { ...node.skills },
          priority: node.priority ?? 0,
          line: node.line,
          ...(node.subLine === undefined ? {} : { subLine: node.subLine }),
        },
        'queued',
        node.queue,
      );
      return;
    case 'voicemail':
      terminal(w, { kind: 'voicemail', prompt: node.prompt, maxSeconds: node.maxSeconds, queue: node.queue }, 'voicemail', node.queue);
      return;
    case 'transfer':
    case 'hangup':
      if (node.prompt !== undefined) {
        play(w, [node.prompt]);
        w.s.phase = 'farewell';
      } else {
        farewellDone(w, node);
      }
      return;
  }
}

/** Plays the menu, unless the caller already typed ahead: then the next digit answers it at once. */
function ask(w: Work, menu: MenuNode, lead: string[]): void {
  const digit = w.s.digits.shift();
  if (digit !== undefined) {
    menuDigit(w, menu, digit);
    return;
  }
  play(w, [...lead, menu.prompt]);
  w.s.phase = 'menu_prompt';
}

function replay(w: Work, menu: MenuNode, lead: string[]): void {
  if (takeTurn(w)) ask(w, menu, lead);
}

function menuDigit(w: Work, menu: MenuNode, digit: string): void {
  const here = w.s.nodeId;
  const conv = menu.conventions ?? {};
  const target = menu.options[digit];
  if (target !== undefined) {
    w.s.history.push(here);
    enter(w, target, digit);
  } else if (digit === '*' && conv.back !== false) {
    const previous = w.s.history.pop();
    // At the top there is nowhere to go back to; hearing the menu again is the useful answer.
    if (previous === undefined) replay(w, menu, []);
    else enter(w, previous, digit);
  } else if (digit === '9' && conv.repeat !== false) {
    replay(w, menu, []);
  } else if (digit === '0' && conv.operator !== false && w.def.operator !== undefined) {
    w.s.history.push(here);
    enter(w, w.def.operator, digit);
  } else {
    // Whatever else was typed ahead was aimed at a menu the caller misunderstood.
    w.s.digits = [];
    fail(w, menu, 'invalid', digit);
  }
}

function fail(w: Work, menu: MenuNode, why: 'invalid' | 'timeout', digit?: string): void {
  w.s.failures++;
  // Where callers press wrong keys or fall silent is what ops need to fix a menu.
  w.events.push(
    stampIvr(w.ctx, { type: 'ivr.input_failed', callId: w.s.callId, nodeId: w.s.nodeId, reason: why, digit, attempt: w.s.failures }),
  );
  if (w.s.failures > (menu.retries ?? w.def.defaults?.retries ?? DEFAULT_RETRIES)) {
    w.s.exhausted = true;
    enter(w, menu.onRetriesExhausted);
    return;
  }
  const notice =
    why === 'invalid' ? (menu.invalidPrompt ?? w.def.defaults?.invalidPrompt) : (menu.timeoutPrompt ?? w.def.defaults?.timeoutPrompt);
  replay(w, menu, notice === undefined ? [] : [notice]);
}

function playbackDone(w: Work): void {
  const node = nodeOf(w.def, w.s.nodeId);
  if (w.s.phase === 'menu_prompt' && node.kind === 'menu') {
    const timerId = w.ctx.newId();
    const seconds = node.timeoutS ?? w.def.defaults?.timeoutS ?? DEFAULT_TIMEOUT_S;
    w.s.timerId = timerId;
    w.s.phase = 'menu_wait';
    w.commands.push({ kind: 'start_timer', timerId, ms: seconds * 1000 });
  } else if (w.s.phase === 'playing' && node.kind === 'play') {
    enter(w, node.next);
  } else if (w.s.phase === 'farewell' && (node.kind === 'transfer' || node.kind === 'hangup')) {
    farewellDone(w, node);
  }
}

function farewellDone(w: Work, node: Extract<IvrNode, { kind: 'transfer' | 'hangup' }>): void {
  if (node.kind === 'transfer') terminal(w, { kind: 'transfer', number: node.number }, 'transferred');
  else terminal(w, { kind: 'hangup' }, 'hangup');
}

function play(w: Work, prompts: string[]): void {
  const playbackId = w.ctx.newId();
  w.s.playbackId = playbackId;
  w.commands.push({ kind: 'play', playbackId, prompts });
}

function quiet(w: Work): void {
  if (w.s.playbackId !== undefined) w.commands.push({ kind: 'stop_playback', playbackId: w.s.playbackId });
  if (w.s.timerId !== undefined) w.commands.push({ kind: 'cancel_timer', timerId: w.s.timerId });
  w.s.playbackId = undefined;
  w.s.timerId = undefined;
}

function terminal(w: Work, command: IvrCommand, reason: IvrLeftReason, queue?: string): void {
  quiet(w);
  w.commands.push(command);
  leave(w, w.s.exhausted ? 'retries_exhausted' : reason, queue);
}

function leave(w: Work, reason: IvrLeftReason, queue?: string): void {
  w.events.push(
    stampIvr(w.ctx, {
      type: 'ivr.left',
      callId: w.s.callId,
      nodeId: w.s.nodeId,
      reason,
      ...(queue === undefined ? {} : { queue }),
    }),
  );
  w.s.phase = 'done';
  w.s.digits = [];
}
