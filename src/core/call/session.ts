import { stamp, type Ctx, type DomainEvent, type HungUpBy } from '../events.js';
import type { IvrDefinition } from '../ivr/definition.js';
import { startIvr, stepIvr, type IvrCommand, type IvrInput, type IvrState, type Lang } from '../ivr/interpreter.js';

/**
 * One taxpayer's call as a state machine: (state, input) -> (state, commands, events).
 * Pure: no I/O here. The ARI adapter executes the commands and feeds results back as inputs.
 *
 * ivr → queued → ringing → bridged → ended, with exits from the IVR to voicemail, an
 * outside transfer, or a hang-up, and from ringing back to queued when an agent misses.
 */
export type Phase = 'ivr' | 'queued' | 'ringing' | 'bridged' | 'voicemail' | 'transferring' | 'ended';

export interface Route {
  queue: string;
  skills: Record<string, number>;
  priority: number;
  line: string;
  subLine?: string;
}

export interface Offer {
  agentId: string;
  endpoint: string;
  legId: string;
  at: number;
}

export interface CallState {
  callId: string;
  channelId: string;
  caller: string;
  dialed: string;
  startedAt: number;
  phase: Phase;
  /** The IVR version this call started on; it finishes on it even if another is activated. */
  ivrVersion: number;
  ivr: IvrState;
  route?: Route;
  queuedAt?: number;
  offer?: Offer;
  bridgeId?: string;
  answeredAt?: number;
  voicemail?: { queue: string; playbackId?: string; recording?: string; startedAt?: number };
}

export type CallInput =
  | { kind: 'dtmf'; digit: string }
  | { kind: 'playback_finished'; playbackId: string }
  | { kind: 'timer_fired'; timerId: string }
  | { kind: 'recording_finished'; recording: string; durationS: number }
  | { kind: 'agent_reserved'; agentId: string; endpoint: string }
  | { kind: 'agent_leg_answered'; legId: string }
  | { kind: 'agent_leg_failed'; legId: string; reason: string }
  | { kind: 'caller_hung_up' }
  /** The caller's channel left our app without hanging up (an outside transfer took it). */
  | { kind: 'caller_left_app' }
  | { kind: 'agent_hung_up'; legId: string };

/** What to play: IVR prompts are looked up in the call's IVR version; system prompts by name. */
export interface PromptRef {
  source: 'ivr' | 'system';
  name: string;
}

export type CallCommand =
  | { kind: 'answer'; channelId: string }
  | { kind: 'play'; channelId: string; playbackId: string; prompts: PromptRef[] }
  | { kind: 'stop_playback'; playbackId: string }
  | { kind: 'start_timer'; timerId: string; ms: number }
  | { kind: 'cancel_timer'; timerId: string }
  | { kind: 'start_moh'; channelId: string }
  | { kind: 'stop_moh'; channelId: string }
  | { kind: 'enqueue'; callId: string; route: Route }
  | { kind: 'dequeue'; callId: string; queue: string }
  | { kind: 'ring_agent'; legId: string; endpoint: string; callerNumber: string; callId: string; agentId: string }
  | { kind: 'bridge'; bridgeId: string; channelIds: string[] }
  | { kind: 'destroy_bridge'; bridgeId: string }
  | { kind: 'record'; channelId: string; recording: string; maxSeconds: number }
  | { kind: 'transfer_out'; channelId: string; number: string }
  | { kind: 'hangup'; channelId: string }
  /** The agent's reservation ends: answered calls go back through wrap-up, missed ones do not. */
  | { kind: 'release_agent'; agentId: string; callId: string; after: 'talk' | 'missed' | 'cancelled' }
  | { kind: 'agent_on_call'; agentId: string; callId: string };

export interface Step {
  state: CallState;
  commands: CallCommand[];
  events: DomainEvent[];
}

export interface CallStart {
  callId: string;
  channelId: string;
  caller: string;
  dialed: string;
  lang: Lang;
  ivrVersion: number;
}

export function startCall(ctx: Ctx, ivr: IvrDefinition, p: CallStart): Step {
  const started = stamp(ctx, { type: 'call.started', callId: p.callId, caller: p.caller, dialed: p.dialed, channelId: p.channelId, ivrVersion: p.ivrVersion });
  const first = startIvr(ivr, ctx, { lang: p.lang, callId: p.callId });
  const state: CallState = {
    callId: p.callId, channelId: p.channelId, caller: p.caller, dialed: p.dialed,
    startedAt: ctx.now, phase: 'ivr', ivrVersion: p.ivrVersion, ivr: first.state,
  };
  const out = fromIvr(ctx, state, first.commands, first.events);
  return { ...out, commands: [{ kind: 'answer', channelId: p.channelId }, ...out.commands], events: [started, ...out.events] };
}

const same = (state: CallState): Step => ({ state, commands: [], events: [] });
const release = (state: CallState, agentId: string): Step => ({
  state,
  commands: [{ kind: 'release_agent', agentId, callId: state.callId, after: 'cancelled' }],
  events: [],
});

export function stepCall(ctx: Ctx, ivr: IvrDefinition, s: CallState, input: CallInput): Step {
  // A reservation can land after the caller left or while another agent rings: never keep it.
  if (input.kind === 'agent_reserved' && s.phase !== 'queued') return release(s, input.agentId);
  if (s.phase === 'ended') return same(s);

  if (s.phase === 'ivr' && (input.kind === 'dtmf' || input.kind === 'playback_finished' || input.kind === 'timer_fired' || input.kind === 'caller_hung_up')) {
    const r = stepIvr(ivr, s.ivr, input as IvrInput, ctx);
    const out = fromIvr(ctx, { ...s, ivr: r.state }, r.commands, r.events);
    return input.kind === 'caller_hung_up' ? endWith(ctx, out, 'caller') : out;
  }

  switch (input.kind) {
    case 'playback_finished':
      if (s.phase === 'voicemail' && s.voicemail?.playbackId === input.playbackId) {
        const recording = `vm-${s.callId}`;
        return {
          state: { ...s, voicemail: { ...s.voicemail, playbackId: undefined, recording, startedAt: ctx.now } },
          commands: [{ kind: 'record', channelId: s.channelId, recording, maxSeconds: VOICEMAIL_MAX_S }],
          events: [],
        };
      }
      return same(s);
    case 'recording_finished':
      if (s.phase !== 'voicemail' || s.voicemail?.recording !== input.recording) return same(s);
      return endCall(ctx, withVoicemailEvent(ctx, s, input.durationS), 'system');
    case 'agent_reserved': {
      const offer: Offer = { agentId: input.agentId, endpoint: input.endpoint, legId: ctx.newId(), at: ctx.now };
      return {
        state: { ...s, phase: 'ringing', offer },
        commands: [
          { kind: 'ring_agent', legId: offer.legId, endpoint: offer.endpoint, callerNumber: s.caller, callId: s.callId, agentId: offer.agentId },
        ],
        events: [stamp(ctx, { type: 'call.agent_offered', callId: s.callId, agentId: offer.agentId, channelId: offer.legId })],
      };
    }
    case 'agent_leg_answered': {
      if (s.phase !== 'ringing' || s.offer?.legId !== input.legId) return same(s);
      const bridgeId = ctx.newId();
      const waitMs = ctx.now - (s.queuedAt ?? s.startedAt);
      return {
        state: { ...s, phase: 'bridged', bridgeId, answeredAt: ctx.now },
        commands: [
          { kind: 'agent_on_call', agentId: s.offer.agentId, callId: s.callId },
          { kind: 'stop_moh', channelId: s.channelId },
          { kind: 'bridge', bridgeId, channelIds: [s.channelId, input.legId] },
        ],
        events: [stamp(ctx, { type: 'call.agent_answered', callId: s.callId, agentId: s.offer.agentId, waitMs })],
      };
    }
    case 'agent_leg_failed': {
      if (s.phase !== 'ringing' || s.offer?.legId !== input.legId || !s.route) return same(s);
      const { agentId } = s.offer;
      return {
        state: { ...s, phase: 'queued', offer: undefined },
        commands: [
          { kind: 'release_agent', agentId, callId: s.callId, after: 'missed' },
          { kind: 'enqueue', callId: s.callId, route: s.route },
        ],
        events: [stamp(ctx, { type: 'call.agent_missed', callId: s.callId, agentId, reason: input.reason })],
      };
    }
    case 'caller_hung_up':
      if (s.phase === 'voicemail' && s.voicemail?.recording) {
        // Hanging up is how most callers finish a message; the recording is kept.
        return endCall(ctx, withVoicemailEvent(ctx, s, Math.round((ctx.now - (s.voicemail.startedAt ?? ctx.now)) / 1000)), 'caller');
      }
      return endCall(ctx, same(s), 'caller');
    case 'caller_left_app':
      return s.phase === 'transferring' ? endCall(ctx, same(s), 'system') : same(s);
    case 'agent_hung_up':
      if (s.phase !== 'bridged' || s.offer?.legId !== input.legId) return same(s);
      return endCall(ctx, same(s), 'agent');
    default:
      return same(s);
  }
}

/** Voicemail recordings are bounded even if an IVR version asks for longer. */
const VOICEMAIL_MAX_S = 300;

function withVoicemailEvent(ctx: Ctx, s: CallState, durationS: number): Step {
  return {
    state: s,
    commands: [],
    events: [stamp(ctx, { type: 'call.voicemail_left', callId: s.callId, queue: s.voicemail!.queue, recording: s.voicemail!.recording!, durationS })],
  };
}

/** Turns what the IVR asked for into call commands; its terminal hand-offs change the call's phase. */
function fromIvr(ctx: Ctx, s: CallState, ivrCommands: IvrCommand[], ivrEvents: DomainEvent[]): Step {
  let state = s;
  const commands: CallCommand[] = [];
  const events: DomainEvent[] = [...ivrEvents];
  for (const c of ivrCommands) {
    switch (c.kind) {
      case 'play':
        commands.push({ kind: 'play', channelId: s.channelId, playbackId: c.playbackId, prompts: c.prompts.map((name) => ({ source: 'ivr', name })) });
        break;
      case 'stop_playback':
      case 'start_timer':
      case 'cancel_timer':
        commands.push(c);
        break;
      case 'enqueue': {
        const route: Route = { queue: c.queue, skills: c.skills, priority: c.priority, line: c.line, subLine: c.subLine };
        state = { ...state, phase: 'queued', route, queuedAt: ctx.now };
        commands.push({ kind: 'start_moh', channelId: s.channelId }, { kind: 'enqueue', callId: s.callId, route });
        events.push(stamp(ctx, { type: 'call.queued', callId: s.callId, ...route }));
        break;
      }
      case 'voicemail': {
        const playbackId = ctx.newId();
        state = { ...state, phase: 'voicemail', voicemail: { queue: c.queue, playbackId } };
        commands.push({ kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'ivr', name: c.prompt }] });
        break;
      }
      case 'transfer':
        state = { ...state, phase: 'transferring' };
        commands.push({ kind: 'transfer_out', channelId: s.channelId, number: c.number });
        events.push(stamp(ctx, { type: 'call.transferred', callId: s.callId, number: c.number }));
        break;
      case 'hangup':
        return endWith(ctx, { state, commands, events }, 'system');
    }
  }
  return { state, commands, events };
}

function endWith(ctx: Ctx, step: Step, by: HungUpBy): Step {
  const ended = endCall(ctx, { state: step.state, commands: [], events: [] }, by);
  return { state: ended.state, commands: [...step.commands, ...ended.commands], events: [...step.events, ...ended.events] };
}

/** Ends the call from whatever phase it is in: releases what it holds and records how it ended. */
function endCall(ctx: Ctx, step: Step, by: HungUpBy): Step {
  const s = step.state;
  const commands: CallCommand[] = [...step.commands];
  const durationMs = ctx.now - s.startedAt;
  const base = { type: 'call.ended' as const, callId: s.callId, hungUpBy: by, durationMs, queue: s.route?.queue };
  let ended: DomainEvent;
  if (s.phase === 'bridged' && s.offer && s.bridgeId) {
    commands.push(
      { kind: 'hangup', channelId: by === 'agent' ? s.channelId : s.offer.legId },
      { kind: 'destroy_bridge', bridgeId: s.bridgeId },
      { kind: 'release_agent', agentId: s.offer.agentId, callId: s.callId, after: 'talk' },
    );
    ended = stamp(ctx, { ...base, outcome: 'answered', agentId: s.offer.agentId, talkMs: ctx.now - (s.answeredAt ?? ctx.now) });
  } else if ((s.phase === 'voicemail' && s.voicemail?.recording) || s.phase === 'transferring' || (s.phase === 'ivr' && by === 'system')) {
    if (by !== 'caller' && s.phase !== 'transferring') commands.push({ kind: 'hangup', channelId: s.channelId });
    const outcome = s.phase === 'voicemail' ? 'voicemail' : s.phase === 'transferring' ? 'transferred' : 'ended_in_ivr';
    ended = stamp(ctx, { ...base, outcome });
  } else {
    if (s.phase === 'ringing' && s.offer) {
      commands.push(
        { kind: 'hangup', channelId: s.offer.legId },
        { kind: 'release_agent', agentId: s.offer.agentId, callId: s.callId, after: 'cancelled' },
      );
    }
    if (s.phase === 'queued' && s.route) commands.push({ kind: 'dequeue', callId: s.callId, queue: s.route.queue });
    if (by !== 'caller') commands.push({ kind: 'hangup', channelId: s.channelId });
    // Hanging up during the voicemail prompt, before recording began, is giving up in the IVR.
    const abandonedAt = s.phase === 'ringing' ? 'ringing' : s.phase === 'queued' ? 'queue' : 'ivr';
    ended = stamp(ctx, {
      ...base, outcome: 'abandoned', abandonedAt, agentId: s.offer?.agentId, ivrNode: abandonedAt === 'ivr' ? s.ivr.nodeId : undefined,
      waitMs: s.queuedAt !== undefined ? ctx.now - s.queuedAt : undefined,
    });
  }
  return { state: { ...s, phase: 'ended' }, commands, events: [...step.events, ended] };
}
