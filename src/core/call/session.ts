import { stamp, type Ctx, type DomainEvent, type HungUpBy } from '../events.js';

/**
 * One taxpayer's call as a state machine: (state, input) -> (state, commands, events).
 * Pure: no I/O here. The ARI adapter executes the commands and feeds results back as inputs.
 */
export type Phase = 'welcome' | 'queued' | 'ringing' | 'bridged' | 'ended';

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
  playbackId?: string;
  queuedAt?: number;
  offer?: Offer;
  bridgeId?: string;
  answeredAt?: number;
  agentId?: string;
}

export type CallInput =
  | { kind: 'playback_finished'; playbackId: string }
  | { kind: 'agent_reserved'; agentId: string; endpoint: string }
  | { kind: 'agent_leg_answered'; legId: string }
  | { kind: 'agent_leg_failed'; legId: string; reason: string }
  | { kind: 'caller_hung_up' }
  | { kind: 'agent_hung_up'; legId: string };

export type CallCommand =
  | { kind: 'answer'; channelId: string }
  | { kind: 'play'; channelId: string; playbackId: string; prompt: string }
  | { kind: 'start_moh'; channelId: string }
  | { kind: 'stop_moh'; channelId: string }
  | { kind: 'enqueue'; callId: string; queue: string }
  | { kind: 'dequeue'; callId: string; queue: string }
  | { kind: 'ring_agent'; legId: string; endpoint: string; callerNumber: string; callId: string; agentId: string }
  | { kind: 'bridge'; bridgeId: string; channelIds: string[] }
  | { kind: 'destroy_bridge'; bridgeId: string }
  | { kind: 'hangup'; channelId: string }
  /** The agent's reservation ends: answered calls go back through wrap-up, missed ones do not. */
  | { kind: 'release_agent'; agentId: string; callId: string; after: 'talk' | 'missed' | 'cancelled' }
  | { kind: 'agent_on_call'; agentId: string; callId: string };

export interface Step {
  state: CallState;
  commands: CallCommand[];
  events: DomainEvent[];
}

export const DEFAULT_QUEUE = 'default';
export const WELCOME_PROMPT = 'welcome';

export function startCall(ctx: Ctx, p: { callId: string; channelId: string; caller: string; dialed: string }): Step {
  const playbackId = ctx.newId();
  const state: CallState = { ...p, startedAt: ctx.now, phase: 'welcome', playbackId };
  return {
    state,
    commands: [
      { kind: 'answer', channelId: p.channelId },
      { kind: 'play', channelId: p.channelId, playbackId, prompt: WELCOME_PROMPT },
    ],
    events: [stamp(ctx, { type: 'call.started', callId: p.callId, caller: p.caller, dialed: p.dialed, channelId: p.channelId })],
  };
}

const same = (state: CallState): Step => ({ state, commands: [], events: [] });
const release = (state: CallState, agentId: string): Step => ({
  state,
  commands: [{ kind: 'release_agent', agentId, callId: state.callId, after: 'cancelled' }],
  events: [],
});

export function stepCall(ctx: Ctx, s: CallState, input: CallInput): Step {
  if (s.phase === 'ended') {
    // A reservation can land after the caller left: the agent must not stay reserved.
    if (input.kind === 'agent_reserved') return release(s, input.agentId);
    return same(s);
  }
  switch (input.kind) {
    case 'playback_finished': {
      if (s.phase !== 'welcome' || input.playbackId !== s.playbackId) return same(s);
      const state: CallState = { ...s, phase: 'queued', playbackId: undefined, queuedAt: ctx.now };
      return {
        state,
        commands: [
          { kind: 'start_moh', channelId: s.channelId },
          { kind: 'enqueue', callId: s.callId, queue: DEFAULT_QUEUE },
        ],
        events: [
          stamp(ctx, { type: 'call.prompt_played', callId: s.callId, prompt: WELCOME_PROMPT, interrupted: false }),
          stamp(ctx, { type: 'call.queued', callId: s.callId, queue: DEFAULT_QUEUE }),
        ],
      };
    }
    case 'agent_reserved': {
      // The reservation raced with another offer: hand the agent straight back.
      if (s.phase !== 'queued') return release(s, input.agentId);
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
        state: { ...s, phase: 'bridged', bridgeId, answeredAt: ctx.now, agentId: s.offer.agentId },
        commands: [
          { kind: 'agent_on_call', agentId: s.offer.agentId, callId: s.callId },
          { kind: 'stop_moh', channelId: s.channelId },
          { kind: 'bridge', bridgeId, channelIds: [s.channelId, input.legId] },
        ],
        events: [stamp(ctx, { type: 'call.agent_answered', callId: s.callId, agentId: s.offer.agentId, waitMs })],
      };
    }
    case 'agent_leg_failed': {
      if (s.phase !== 'ringing' || s.offer?.legId !== input.legId) return same(s);
      const { agentId } = s.offer;
      return {
        state: { ...s, phase: 'queued', offer: undefined },
        commands: [
          { kind: 'release_agent', agentId, callId: s.callId, after: 'missed' },
          { kind: 'enqueue', callId: s.callId, queue: DEFAULT_QUEUE },
        ],
        events: [stamp(ctx, { type: 'call.agent_missed', callId: s.callId, agentId, reason: input.reason })],
      };
    }
    case 'caller_hung_up':
      return end(ctx, s, 'caller');
    case 'agent_hung_up':
      if (s.phase !== 'bridged' || s.offer?.legId !== input.legId) return same(s);
      return end(ctx, s, 'agent');
  }
}

function end(ctx: Ctx, s: CallState, by: HungUpBy): Step {
  const commands: CallCommand[] = [];
  const durationMs = ctx.now - s.startedAt;
  let ended: DomainEvent;
  if (s.phase === 'bridged' && s.offer && s.bridgeId) {
    commands.push(
      { kind: 'hangup', channelId: by === 'agent' ? s.channelId : s.offer.legId },
      { kind: 'destroy_bridge', bridgeId: s.bridgeId },
      { kind: 'release_agent', agentId: s.offer.agentId, callId: s.callId, after: 'talk' },
    );
    ended = stamp(ctx, {
      type: 'call.ended', callId: s.callId, hungUpBy: by, outcome: 'answered', agentId: s.offer.agentId,
      durationMs, talkMs: ctx.now - (s.answeredAt ?? ctx.now),
    });
  } else {
    if (s.phase === 'ringing' && s.offer) {
      commands.push(
        { kind: 'hangup', channelId: s.offer.legId },
        { kind: 'release_agent', agentId: s.offer.agentId, callId: s.callId, after: 'cancelled' },
      );
    }
    if (s.phase === 'queued') commands.push({ kind: 'dequeue', callId: s.callId, queue: DEFAULT_QUEUE });
    if (by !== 'caller') commands.push({ kind: 'hangup', channelId: s.channelId });
    const abandonedAt = s.phase === 'ringing' ? 'ringing' : s.phase === 'queued' ? 'queue' : 'ivr';
    ended = stamp(ctx, { type: 'call.ended', callId: s.callId, hungUpBy: by, outcome: 'abandoned', abandonedAt, agentId: s.offer?.agentId, durationMs });
  }
  return { state: { ...s, phase: 'ended' }, commands, events: [ended] };
}
