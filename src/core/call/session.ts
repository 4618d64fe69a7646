import { stamp, type Ctx, type DomainEvent, type HungUpBy } from '../events.js';
import type { IvrDefinition } from '../ivr/definition.js';
import { RECORDING_NOTICE_PROMPT, recordingName, type CallRecording, type LegRecording, type RecordingNotice } from './recording.js';
import { resumeIvr, startIvr, stepIvr, type IvrCommand, type IvrInput, type IvrState } from '../ivr/interpreter.js';
import type { Lang } from '../lang.js';
import type { ExpiryAction, QueueRules, RoutingRules } from '../routing/model.js';
import type { CallbackRefusal } from '../outbound/dial-policy.js';
import { beginSurvey, resumeSurvey, stepSurvey, type SurveyState } from './survey.js';

/**
 * One taxpayer's call as a state machine: (state, input) -> (state, commands, events).
 * Pure: no I/O here. The ARI adapter executes the commands and feeds results back as inputs.
 *
 * ivr → queued → ringing → bridged → ended, with exits from the IVR to voicemail, an
 * outside transfer, or a hang-up, and from ringing back to queued when an agent misses. When the
 * agent hangs up on a queue with the survey on, bridged → survey → ended (core/call/survey.ts).
 */
export type Phase = 'ivr' | 'queued' | 'ringing' | 'bridged' | 'voicemail' | 'transferring' | 'callback' | 'survey' | 'ended';

export interface Route {
  queue: string;
  skills: Record<string, number>;
  priority: number;
  line: string;
  subLine?: string;
  /** The agent who last handled this caller, offered the call first for a few seconds. */
  preferredAgentId?: string;
  /** Agents who let this call ring out; it is not offered to them again. */
  excludedAgents: string[];
  /** When the call first entered a queue; kept across overflow and missed offers. */
  enqueuedAt: number;
}

/** What a step needs besides the call's own state: its IVR version and the live routing rules. */
export interface CallEnv {
  ivr: IvrDefinition;
  rules: RoutingRules;
  /** Abandons shorter than this (queue wait, or time in the IVR) are flagged short. */
  shortAbandonMs: number;
  /** A waiting caller hears their position and expected wait this often. */
  announceEveryMs: number;
  /**
   * Hold music before the first announcement: a caller put through at once hears no "you are
   * first in line" (as with app_queue), and ringing the agent waits on no prompt.
   */
  firstAnnounceMs: number;
}

/** Where a queued caller stood, read from the queue when they hung up (adapter-supplied facts). */
export interface QueuePosition {
  atEntry?: number;
  atAbandon?: number;
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
  /** The agent who last handled this caller recently (looked up when the call arrived). */
  preferredAgentId?: string;
  /** A closing message before the call is ended by a queue rule. */
  closing?: { playbackId: string; reason: string };
  /** The call's media went with its Asterisk (restarted, or the node lost): why it ended. */
  cut?: CutCause;
  /** The caller pressed 1 to keep their place and be called back; this confirms it. */
  callbackPlaybackId?: string;
  /** This call is itself a callback: the request it answers. */
  callbackFor?: string;
  /**
   * The caller's number may not be dialled (decided when the call arrived, core/outbound):
   * pressing 1 tells them so and they keep waiting, and the announcement offers no callback.
   */
  callbackRefusal?: CallbackRefusal;
  /** The position announcement playing, or the timer until the next one. */
  announce?: { playbackId?: string; timerId?: string };
  /** The satisfaction survey after the agent hung up (phase 'survey'). */
  survey?: SurveyState;
  /** The recording notice, once the call entered a queue that records (core/call/recording.ts). */
  notice?: RecordingNotice;
  /** The agent answered during the notice: their leg, bridged when the notice ends. */
  pendingBridgeLeg?: string;
  /** The conversation's recording, from the bridge on. */
  recording?: CallRecording;
}

export type CallInput =
  | { kind: 'dtmf'; digit: string }
  | { kind: 'playback_finished'; playbackId: string }
  | { kind: 'timer_fired'; timerId: string }
  | { kind: 'recording_finished'; recording: string; durationS: number }
  | { kind: 'agent_reserved'; agentId: string; endpoint: string }
  | { kind: 'agent_leg_answered'; legId: string }
  | { kind: 'agent_leg_failed'; legId: string; reason: string }
  | { kind: 'caller_hung_up'; position?: QueuePosition }
  /** A queue rule fired for this waiting call (overflow, voicemail, message and hang up, max wait). */
  | { kind: 'queue_expired'; action: ExpiryAction }
  /** The caller's channel left our app without hanging up (an outside transfer took it). */
  | { kind: 'caller_left_app' }
  | { kind: 'agent_hung_up'; legId: string }
  /** The call's channels went with its Asterisk: nobody hung up, the media is gone. */
  | { kind: 'media_lost'; cause: CutCause; legId?: string };

/**
 * Why a call was cut rather than hung up, recorded as the call's end reason: 'asterisk_shutdown'
 * (its Asterisk hung the channel up itself, stopping or restarting), 'asterisk_restarted' (found
 * gone at reconnection to an Asterisk that started again meanwhile: it died with the call up),
 * 'asterisk_lost' (its Asterisk stopped answering altogether, events and requests, for longer than
 * ASTERISK_LOST_AFTER_MS: the node died or its host went away, and the call with it).
 */
export type CutCause = 'asterisk_shutdown' | 'asterisk_restarted' | 'asterisk_lost';

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
  /** Tells a waiting caller their position and expected wait (the adapter reads both from the queue). */
  | { kind: 'announce_position'; channelId: string; playbackId: string; callId: string; queue: string; offerCallback: boolean }
  /** The waiting entry stays where it is but becomes a callback: dialled when its turn comes. */
  | { kind: 'keep_place_for_callback'; callId: string; queue: string }
  | { kind: 'dequeue'; callId: string; queue: string }
  | { kind: 'ring_agent'; legId: string; endpoint: string; callerNumber: string; callId: string; agentId: string; timeoutS: number }
  /** `record`: the bridge is recorded into `name` from the start (the queue records). */
  | {
      kind: 'bridge';
      bridgeId: string;
      channelIds: string[];
      record?: { recordingId: string; name: string; legs?: LegRecording[] };
    }
  /** The call ended: the recording's file is complete once its bridge is gone; its facts are recorded. */
  | { kind: 'finish_recording'; callId: string; recordingId: string; name: string }
  | { kind: 'destroy_bridge'; bridgeId: string }
  | { kind: 'record'; channelId: string; recording: string; maxSeconds: number }
  | { kind: 'transfer_out'; channelId: string; number: string }
  | { kind: 'hangup'; channelId: string }
  /** The agent's reservation ends: answered calls go back through wrap-up, missed ones do not. */
  /**
   * The agent's reservation ends. After talk: wrap-up for wrapUpS. After no answer: the miss is
   * counted and the agent paused after `pauseAfter` in a row (0: never). Declined (busy,
   * unreachable) and cancelled (the caller left) simply free the agent.
   */
  | { kind: 'release_agent'; agentId: string; callId: string; after: 'talk'; wrapUpS: number }
  | { kind: 'release_agent'; agentId: string; callId: string; after: 'no_answer'; pauseAfter: number }
  | { kind: 'release_agent'; agentId: string; callId: string; after: 'declined' | 'cancelled' }
  | { kind: 'agent_on_call'; agentId: string; callId: string };

/** What one step of a call's session gives back: its next state, what to do, what to record. */
export interface CallStep {
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
  preferredAgentId?: string;
  /** Why this caller cannot be called back, if they cannot (the service decides with core/outbound/dial-policy.ts). */
  callbackRefusal?: CallbackRefusal;
  /** The dialplan answered before Stasis() (Asterisk's channel state Up): no answer to send. */
  answered?: boolean;
}

export function startCall(ctx: Ctx, env: CallEnv, p: CallStart): CallStep {
  return withRecordingNotice(ctx, env, startCallInner(ctx, env, p));
}

function startCallInner(ctx: Ctx, env: CallEnv, p: CallStart): CallStep {
  const ivr = env.ivr;
  const started = stamp(ctx, {
    type: 'call.started',
    callId: p.callId,
    caller: p.caller,
    dialed: p.dialed,
    channelId: p.channelId,
    ivrVersion: p.ivrVersion,
  });
  const first = startIvr(ivr, ctx, { lang: p.lang, callId: p.callId });
  const state: CallState = {
    callId: p.callId,
    channelId: p.channelId,
    caller: p.caller,
    dialed: p.dialed,
    startedAt: ctx.now,
    phase: 'ivr',
    ivrVersion: p.ivrVersion,
    ivr: first.state,
    preferredAgentId: p.preferredAgentId,
    ...(p.callbackRefusal ? { callbackRefusal: p.callbackRefusal } : {}),
  };
  const out = fromIvr(ctx, env, state, first.commands, first.events);
  const answer: CallCommand[] = p.answered ? [] : [{ kind: 'answer', channelId: p.channelId }];
  return { ...out, commands: [...answer, ...out.commands], events: [started, ...out.events] };
}

/**
 * After a restart: what Asterisk still has of this call, and how to carry on. Media and queue
 * places survived in Asterisk and Redis; only this process's playbacks and timers were lost.
 */
export interface Survivors {
  callerAlive: boolean;
  /** Set when the channels that are gone went with their Asterisk (it restarted): not hung up by anyone. */
  cut?: CutCause;
  /** The agent leg's state in Asterisk, if it still exists ('Up' once answered). */
  agentLeg?: 'ringing' | 'up';
}

export function resumeCall(ctx: Ctx, env: CallEnv, s: CallState, alive: Survivors): CallStep {
  const out = withRecordingNotice(ctx, env, resumeCallInner(ctx, env, s, alive));
  if (!alive.callerAlive) return out;
  // Asterisk goes on playing what the last process started, and runs a channel's commands one
  // after another: a prompt the resumed call no longer waits for would hold back everything queued
  // behind it (the survivor's move out of a dead instance's app, so the caller's hang-up went to
  // that app: CI, rolling-restart), and the re-planned prompt would follow it. Stopped first.
  const kept = playbacksOf(out.state);
  const stale = [...playbacksOf(s)].filter((id) => !kept.has(id));
  if (!stale.length) return out;
  return { ...out, commands: [...stale.map((playbackId): CallCommand => ({ kind: 'stop_playback', playbackId })), ...out.commands] };
}

/**
 * The prompt a resumed call is sure to replace: its IVR asks the menu again (or moves past a prompt
 * that only informs), a survey asks its question again. A survivor stops it before it moves the
 * channel, or the move waits behind it in Asterisk (features/cluster/takeover.ts).
 */
export function replacedOnResume(s: CallState): string[] {
  if (s.phase === 'ivr' && s.ivr.phase !== 'done' && s.ivr.playbackId) return [s.ivr.playbackId];
  if (s.phase === 'survey' && s.survey?.playbackId && !s.survey.thanksPlaybackId) return [s.survey.playbackId];
  return [];
}

/** Every playback a call's state refers to (what it waits for, or plays now). */
export function playbacksOf(s: CallState): Set<string> {
  const ids = [
    s.ivr.playbackId,
    s.voicemail?.playbackId,
    s.closing?.playbackId,
    s.callbackPlaybackId,
    s.announce?.playbackId,
    s.survey?.playbackId,
    s.survey?.thanksPlaybackId,
    s.notice?.playbackId,
  ];
  return new Set(ids.filter((id): id is string => !!id));
}

function resumeCallInner(ctx: Ctx, env: CallEnv, s: CallState, alive: Survivors): CallStep {
  if (s.phase === 'ended') return same(s);
  if (!alive.callerAlive) return stepCall(ctx, env, s, alive.cut ? { kind: 'media_lost', cause: alive.cut } : { kind: 'caller_hung_up' });
  // The notice's end may have been missed while no instance listened: it is over by now (a few seconds).
  if (s.notice && !s.notice.done) return stepCall(ctx, env, s, { kind: 'playback_finished', playbackId: s.notice.playbackId });
  switch (s.phase) {
    case 'ivr': {
      const r = resumeIvr(env.ivr, s.ivr, ctx);
      return fromIvr(ctx, env, { ...s, ivr: r.state }, r.commands, r.events);
    }
    case 'ringing':
      if (alive.agentLeg === 'up') return stepCall(ctx, env, s, { kind: 'agent_leg_answered', legId: s.offer!.legId });
      if (!alive.agentLeg) return stepCall(ctx, env, s, { kind: 'agent_leg_failed', legId: s.offer!.legId, reason: 'lost_in_restart' });
      return same(s);
    case 'bridged':
      return alive.agentLeg ? same(s) : stepCall(ctx, env, s, { kind: 'agent_hung_up', legId: s.offer!.legId });
    case 'survey':
      return resumeSurvey(ctx, s);
    default:
      return same(s);
  }
}

const same = (state: CallState): CallStep => ({ state, commands: [], events: [] });
const release = (state: CallState, agentId: string): CallStep => ({
  state,
  commands: [{ kind: 'release_agent', agentId, callId: state.callId, after: 'cancelled' }],
  events: [],
});

export function stepCall(ctx: Ctx, env: CallEnv, s: CallState, input: CallInput): CallStep {
  return withRecordingNotice(ctx, env, stepCallInner(ctx, env, s, input));
}

function stepCallInner(ctx: Ctx, env: CallEnv, s: CallState, input: CallInput): CallStep {
  const ivr = env.ivr;
  // A reservation can land after the caller left or while another agent rings: never keep it.
  if (input.kind === 'agent_reserved' && s.phase !== 'queued') return release(s, input.agentId);
  if (s.phase === 'ended') return same(s);
  // The agent is gone and call.ended recorded: only the caller's survey is left.
  if (s.phase === 'survey') return stepSurvey(ctx, s, input);

  if (
    s.phase === 'ivr' &&
    (input.kind === 'dtmf' || input.kind === 'playback_finished' || input.kind === 'timer_fired' || input.kind === 'caller_hung_up')
  ) {
    const r = stepIvr(ivr, s.ivr, input as IvrInput, ctx);
    const out = fromIvr(ctx, env, { ...s, ivr: r.state }, r.commands, r.events);
    return input.kind === 'caller_hung_up' ? endWith(ctx, env, out, 'caller') : out;
  }

  switch (input.kind) {
    case 'dtmf':
      if (s.phase === 'queued' && input.digit === CALLBACK_KEY && s.route && !s.callbackFor && s.callbackRefusal) {
        // The caller is told why not and keeps waiting where they are: the prompt plays as an
        // announcement would, and hold music and the next announcement follow when it ends.
        const playbackId = ctx.newId();
        const quiet = quietAnnouncements(s, false);
        return {
          state: { ...quiet.state, announce: { playbackId } },
          commands: [
            ...quiet.commands,
            { kind: 'stop_moh', channelId: s.channelId },
            { kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: CALLBACK_REFUSED_PROMPT }] },
          ],
          events: [
            stamp(ctx, {
              type: 'call.callback_refused',
              callId: s.callId,
              caller: s.caller,
              queue: s.route.queue,
              reason: s.callbackRefusal,
            }),
          ],
        };
      }
      if (s.phase === 'queued' && input.digit === CALLBACK_KEY && s.route && !s.callbackFor) {
        const playbackId = ctx.newId();
        const quiet = quietAnnouncements(s, false);
        return {
          state: { ...quiet.state, phase: 'callback', callbackPlaybackId: playbackId },
          commands: [
            ...quiet.commands,
            { kind: 'keep_place_for_callback', callId: s.callId, queue: s.route.queue },
            { kind: 'stop_moh', channelId: s.channelId },
            { kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: CALLBACK_CONFIRM_PROMPT }] },
          ],
          events: [stamp(ctx, { type: 'call.callback_requested', callId: s.callId, caller: s.caller, queue: s.route.queue })],
        };
      }
      return same(s);
    case 'timer_fired':
      if (s.phase === 'queued' && s.announce?.timerId === input.timerId) {
        const playbackId = ctx.newId();
        return {
          state: { ...s, announce: { playbackId } },
          commands: [
            { kind: 'stop_moh', channelId: s.channelId },
            {
              kind: 'announce_position',
              channelId: s.channelId,
              playbackId,
              callId: s.callId,
              queue: s.route!.queue,
              offerCallback: !s.callbackFor && !s.callbackRefusal,
            },
          ],
          events: [],
        };
      }
      return same(s);
    case 'playback_finished':
      if (s.notice?.playbackId === input.playbackId && !s.notice.done) return noticeHeard(ctx, env, s);
      if (s.phase === 'queued' && s.announce?.playbackId === input.playbackId) return holdMusicUntilNextAnnouncement(ctx, env, s);
      if (s.closing?.playbackId === input.playbackId) return endCall(ctx, env, same(s), 'system');
      if (s.phase === 'callback' && s.callbackPlaybackId === input.playbackId) return endCall(ctx, env, same(s), 'system');
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
      return endCall(ctx, env, withVoicemailEvent(ctx, s, input.durationS), 'system');
    case 'agent_reserved': {
      const offer: Offer = { agentId: input.agentId, endpoint: input.endpoint, legId: ctx.newId(), at: ctx.now };
      const timeoutS = rulesOf(env, s)?.ringTimeoutS ?? DEFAULT_RING_TIMEOUT_S;
      const quiet = quietAnnouncements(s, true);
      return {
        state: { ...quiet.state, phase: 'ringing', offer },
        // The phone first: silencing an announcement is one more round trip to Asterisk.
        commands: [
          {
            kind: 'ring_agent',
            legId: offer.legId,
            endpoint: offer.endpoint,
            callerNumber: s.caller,
            callId: s.callId,
            agentId: offer.agentId,
            timeoutS,
          },
          ...quiet.commands,
        ],
        events: [stamp(ctx, { type: 'call.agent_offered', callId: s.callId, agentId: offer.agentId, channelId: offer.legId })],
      };
    }
    case 'agent_leg_answered': {
      if (s.phase !== 'ringing' || s.offer?.legId !== input.legId) return same(s);
      const bridgeId = ctx.newId();
      const waitMs = ctx.now - (s.queuedAt ?? s.startedAt);
      const answered = stamp(ctx, { type: 'call.agent_answered', callId: s.callId, agentId: s.offer.agentId, waitMs });
      const onCall: CallCommand = { kind: 'agent_on_call', agentId: s.offer.agentId, callId: s.callId };
      if (s.notice && !s.notice.done) {
        // The caller is still being told the call is recorded: the agent is connected when it ends.
        return {
          state: { ...s, phase: 'bridged', bridgeId, answeredAt: ctx.now, pendingBridgeLeg: input.legId },
          commands: [onCall],
          events: [answered],
        };
      }
      const b = bridgeStep(ctx, env, { ...s, phase: 'bridged', bridgeId, answeredAt: ctx.now }, input.legId);
      return { state: b.state, commands: [onCall, ...b.commands], events: [answered, ...b.events] };
    }
    case 'agent_leg_failed': {
      if (s.phase !== 'ringing' || s.offer?.legId !== input.legId || !s.route) return same(s);
      const { agentId } = s.offer;
      // The next offer goes to someone else: this agent let it ring out, was busy or unreachable.
      const route: Route = { ...s.route, excludedAgents: [...s.route.excludedAgents, agentId] };
      const commands: CallCommand[] = [
        input.reason === 'no_answer'
          ? { kind: 'release_agent', agentId, callId: s.callId, after: 'no_answer', pauseAfter: rulesOf(env, s)?.noAnswerPauseAfter ?? 1 }
          : { kind: 'release_agent', agentId, callId: s.callId, after: 'declined' },
        { kind: 'enqueue', callId: s.callId, route },
      ];
      const timerId = ctx.newId();
      commands.push({ kind: 'start_timer', timerId, ms: env.announceEveryMs });
      return {
        state: { ...s, phase: 'queued', offer: undefined, route, announce: { timerId } },
        commands,
        events: [stamp(ctx, { type: 'call.agent_missed', callId: s.callId, agentId, reason: input.reason })],
      };
    }
    case 'queue_expired':
      if (s.phase !== 'queued' || !s.route) return same(s);
      return expire(ctx, env, s, input.action);
    case 'media_lost':
      // A channel that is no longer the call's (a leg whose ring timed out) cuts nothing.
      if (input.legId && input.legId !== s.channelId && input.legId !== s.offer?.legId) return same(s);
      // Nobody hung up: the system ends it, and says why (the call's end reason).
      return endCall(ctx, env, same({ ...s, cut: input.cause }), 'system');
    case 'caller_hung_up':
      if (s.phase === 'voicemail' && s.voicemail?.recording) {
        // Hanging up is how most callers finish a message; the recording is kept.
        return endCall(ctx, env, withVoicemailEvent(ctx, s, Math.round((ctx.now - (s.voicemail.startedAt ?? ctx.now)) / 1000)), 'caller');
      }
      return endCall(ctx, env, same(s), 'caller', input.position);
    case 'caller_left_app':
      return s.phase === 'transferring' ? endCall(ctx, env, same(s), 'system') : same(s);
    case 'agent_hung_up':
      if (s.phase !== 'bridged' || s.offer?.legId !== input.legId) return same(s);
      if (rulesOf(env, s)?.survey === true && s.route) {
        // The agent's part ends exactly as without the survey (released first, call.ended the same);
        // the caller stays, out of the bridge, for the survey.
        return beginSurvey(ctx, endCall(ctx, env, same(s), 'agent', undefined, true), s.offer.agentId, s.route.queue);
      }
      return endCall(ctx, env, same(s), 'agent');
    default:
      return same(s);
  }
}

/** The key a waiting caller presses to keep their place and be called back. */
export const CALLBACK_KEY = '1';
export const CALLBACK_CONFIRM_PROMPT = 'callback-confirm';
/** Played to a caller who pressed 1 but whose number the center may not dial; they keep waiting. */
export const CALLBACK_REFUSED_PROMPT = 'callback-refused';

/**
 * A callback the service dialled was answered: the taxpayer goes straight back into the queue
 * at the place they kept (their original time of entry), hearing hold music.
 */
export function startCallbackCall(
  ctx: Ctx,
  env: CallEnv,
  p: { callId: string; channelId: string; caller: string; route: Route; requestCallId: string; ivrVersion: number; lang: Lang },
): CallStep {
  const ivr = startIvr(env.ivr, ctx, { lang: p.lang, callId: p.callId });
  const state: CallState = {
    callId: p.callId,
    channelId: p.channelId,
    caller: p.caller,
    dialed: 'callback',
    startedAt: ctx.now,
    phase: 'queued',
    ivrVersion: p.ivrVersion,
    ivr: { ...ivr.state, phase: 'done' },
    route: p.route,
    queuedAt: ctx.now,
    callbackFor: p.requestCallId,
  };
  const r = p.route;
  return {
    state,
    commands: [
      { kind: 'start_moh', channelId: p.channelId },
      { kind: 'enqueue', callId: p.callId, route: r },
    ],
    events: [
      stamp(ctx, {
        type: 'call.started',
        callId: p.callId,
        caller: p.caller,
        dialed: 'callback',
        channelId: p.channelId,
        ivrVersion: p.ivrVersion,
        callbackFor: p.requestCallId,
      }),
      stamp(ctx, {
        type: 'call.queued',
        callId: p.callId,
        queue: r.queue,
        skills: r.skills,
        priority: r.priority,
        line: r.line,
        subLine: r.subLine,
      }),
    ],
  };
}

/** The announcement ended: hold music until the next one. */
function holdMusicUntilNextAnnouncement(ctx: Ctx, env: CallEnv, s: CallState): CallStep {
  const timerId = ctx.newId();
  return {
    state: { ...s, announce: { timerId } },
    commands: [
      { kind: 'start_moh', channelId: s.channelId },
      { kind: 'start_timer', timerId, ms: env.announceEveryMs },
    ],
    events: [],
  };
}

/** Stops a playing announcement (hold music back on if the caller keeps waiting) and the next one's timer. */
function quietAnnouncements(s: CallState, keepMusic: boolean): { state: CallState; commands: CallCommand[] } {
  const commands: CallCommand[] = [];
  if (s.announce?.playbackId) {
    commands.push({ kind: 'stop_playback', playbackId: s.announce.playbackId });
    if (keepMusic) commands.push({ kind: 'start_moh', channelId: s.channelId });
  }
  if (s.announce?.timerId) commands.push({ kind: 'cancel_timer', timerId: s.announce.timerId });
  return { state: { ...s, announce: undefined }, commands };
}

/** Voicemail recordings are bounded even if an IVR version asks for longer. */
const VOICEMAIL_MAX_S = 300;
const DEFAULT_RING_TIMEOUT_S = 15;
/** System prompts (prompts/system.yaml) the queue rules rely on. */
export const LEAVE_MESSAGE_PROMPT = 'leave-message';
export const QUEUE_TIMEOUT_PROMPT = 'queue-timeout';

function rulesOf(env: CallEnv, s: CallState): QueueRules | undefined {
  return s.route ? env.rules.queues.get(s.route.queue) : undefined;
}

/** A queue rule fired: move the caller on as the rule says. */
function expire(ctx: Ctx, env: CallEnv, s0: CallState, a: ExpiryAction): CallStep {
  const quiet = quietAnnouncements(s0, a.action === 'overflow');
  const s = quiet.state;
  const route = s.route!;
  const leave: CallCommand[] = [...quiet.commands, { kind: 'dequeue', callId: s.callId, queue: route.queue }];
  switch (a.action) {
    case 'overflow': {
      const next: Route = { ...route, queue: a.toQueue, excludedAgents: [] };
      const timerId = ctx.newId();
      return {
        state: { ...s, route: next, announce: { timerId } },
        commands: [...leave, { kind: 'enqueue', callId: s.callId, route: next }, { kind: 'start_timer', timerId, ms: env.announceEveryMs }],
        events: [stamp(ctx, { type: 'call.overflowed', callId: s.callId, fromQueue: route.queue, toQueue: a.toQueue })],
      };
    }
    case 'voicemail':
    case 'callback': {
      // Until callbacks are dialled by the service, a callback rule takes a message for one.
      const playbackId = ctx.newId();
      return {
        state: { ...s, phase: 'voicemail', voicemail: { queue: route.queue, playbackId } },
        commands: [
          ...leave,
          { kind: 'stop_moh', channelId: s.channelId },
          { kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: LEAVE_MESSAGE_PROMPT }] },
        ],
        events: [],
      };
    }
    case 'message_hangup':
    case 'max_wait': {
      const playbackId = ctx.newId();
      const prompt = a.action === 'message_hangup' ? a.prompt : QUEUE_TIMEOUT_PROMPT;
      return {
        state: { ...s, closing: { playbackId, reason: a.action } },
        commands: [
          ...leave,
          { kind: 'stop_moh', channelId: s.channelId },
          { kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: prompt }] },
        ],
        events: [],
      };
    }
  }
}

function withVoicemailEvent(ctx: Ctx, s: CallState, durationS: number): CallStep {
  return {
    state: s,
    commands: [],
    events: [
      stamp(ctx, {
        type: 'call.voicemail_left',
        callId: s.callId,
        queue: s.voicemail!.queue,
        recording: s.voicemail!.recording!,
        durationS,
      }),
    ],
  };
}

/** Turns what the IVR asked for into call commands; its terminal hand-offs change the call's phase. */
function fromIvr(ctx: Ctx, env: CallEnv, s: CallState, ivrCommands: IvrCommand[], ivrEvents: DomainEvent[]): CallStep {
  let state = s;
  const commands: CallCommand[] = [];
  const events: DomainEvent[] = [...ivrEvents];
  for (const c of ivrCommands) {
    switch (c.kind) {
      case 'play':
        commands.push({
          kind: 'play',
          channelId: s.channelId,
          playbackId: c.playbackId,
          prompts: c.prompts.map((name) => ({ source: 'ivr', name })),
        });
        break;
      case 'stop_playback':
      case 'start_timer':
      case 'cancel_timer':
        commands.push(c);
        break;
      case 'enqueue': {
        const route: Route = {
          queue: c.queue,
          skills: c.skills,
          priority: c.priority,
          line: c.line,
          subLine: c.subLine,
          preferredAgentId: s.preferredAgentId,
          excludedAgents: [],
          enqueuedAt: ctx.now,
        };
        const timerId = ctx.newId();
        state = { ...state, phase: 'queued', route, queuedAt: ctx.now, announce: { timerId } };
        commands.push(
          { kind: 'enqueue', callId: s.callId, route },
          { kind: 'start_moh', channelId: s.channelId },
          { kind: 'start_timer', timerId, ms: env.firstAnnounceMs },
        );
        events.push(
          stamp(ctx, {
            type: 'call.queued',
            callId: s.callId,
            queue: route.queue,
            skills: route.skills,
            priority: route.priority,
            line: route.line,
            subLine: route.subLine,
            preferredAgentId: route.preferredAgentId,
          }),
        );
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
        return endWith(ctx, env, { state, commands, events }, 'system');
    }
  }
  return { state, commands, events };
}

/** Caller and agent into one bridge, recorded from its start when the queue records. */
function bridgeStep(ctx: Ctx, env: CallEnv, s: CallState, legId: string): CallStep {
  const bridgeId = s.bridgeId!;
  const rec = rulesOf(env, s)?.recording;
  const stopMusic: CallCommand = { kind: 'stop_moh', channelId: s.channelId };
  if (!rec || !s.offer || !s.route) {
    return { state: s, commands: [stopMusic, { kind: 'bridge', bridgeId, channelIds: [s.channelId, legId] }], events: [] };
  }
  const name = recordingName(s.callId, ctx.now);
  const legs: LegRecording[] | undefined = rec.legs
    ? [
        { id: ctx.newId(), name: `${name}-caller`, kind: 'caller', channelId: s.channelId },
        { id: ctx.newId(), name: `${name}-agent`, kind: 'agent', channelId: legId },
      ]
    : undefined;
  const recording: CallRecording = { id: ctx.newId(), name, startedAt: ctx.now, ...(legs ? { legs } : {}) };
  const files = [{ id: recording.id, name, kind: 'mix' as const }, ...(legs ?? [])];
  const { queue } = s.route;
  const agentId = s.offer.agentId;
  return {
    state: { ...s, recording },
    commands: [
      stopMusic,
      {
        kind: 'bridge',
        bridgeId,
        channelIds: [s.channelId, legId],
        record: { recordingId: recording.id, name, ...(legs ? { legs } : {}) },
      },
    ],
    events: files.map((f) =>
      stamp(ctx, {
        type: 'call.recording_started',
        callId: s.callId,
        recordingId: f.id,
        name: f.name,
        kind: f.kind,
        queue,
        agentId,
        caller: s.caller,
        retentionDays: rec.retentionDays,
      }),
    ),
  };
}

/** The notice ended: a waiting caller gets hold music back; an agent who answered meanwhile is bridged now. */
function noticeHeard(ctx: Ctx, env: CallEnv, s0: CallState): CallStep {
  const s: CallState = { ...s0, notice: { ...s0.notice!, done: true } };
  // Talk time starts when the two can hear each other, not when the agent's phone was answered.
  if (s.phase === 'bridged' && s.pendingBridgeLeg)
    return bridgeStep(ctx, env, { ...s, pendingBridgeLeg: undefined, answeredAt: ctx.now }, s.pendingBridgeLeg);
  if ((s.phase === 'queued' || s.phase === 'ringing') && !s.announce?.playbackId) {
    return { state: s, commands: [{ kind: 'start_moh', channelId: s.channelId }], events: [] };
  }
  return same(s);
}

/**
 * A call that has just entered (or moved to) a queue that records, and has not heard the notice:
 * the notice plays instead of hold music. Applied to every step's result, so each way into a
 * queue (the IVR, overflow, a callback, a missed offer) is covered by one rule.
 */
function withRecordingNotice(ctx: Ctx, env: CallEnv, step: CallStep): CallStep {
  const s = step.state;
  if (s.notice || (s.phase !== 'queued' && s.phase !== 'ringing') || !s.route) return step;
  if (!env.rules.queues.get(s.route.queue)?.recording?.notice) return step;
  const playbackId = ctx.newId();
  const music = (c: CallCommand) => c.kind === 'start_moh' && c.channelId === s.channelId;
  const commands = step.commands.filter((c) => !music(c));
  if (commands.length === step.commands.length) commands.push({ kind: 'stop_moh', channelId: s.channelId });
  commands.push({ kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: RECORDING_NOTICE_PROMPT }] });
  return { state: { ...s, notice: { playbackId } }, commands, events: step.events };
}

function endWith(ctx: Ctx, env: CallEnv, step: CallStep, by: HungUpBy): CallStep {
  const ended = endCall(ctx, env, { state: step.state, commands: [], events: [] }, by);
  return { state: ended.state, commands: [...step.commands, ...ended.commands], events: [...step.events, ...ended.events] };
}

/** Ends the call from whatever phase it is in: releases what it holds and records how it ended. */
/** `keepCaller`: the agent hung up and the caller stays for the survey, so their channel is not hung up. */
function endCall(ctx: Ctx, env: CallEnv, step: CallStep, by: HungUpBy, position?: QueuePosition, keepCaller = false): CallStep {
  const quiet = quietAnnouncements(step.state, false);
  const s = quiet.state;
  const commands: CallCommand[] = [...step.commands, ...quiet.commands.filter((c) => c.kind === 'cancel_timer')];
  const durationMs = ctx.now - s.startedAt;
  const base = {
    type: 'call.ended' as const,
    callId: s.callId,
    hungUpBy: by,
    durationMs,
    queue: s.route?.queue,
    ...(s.cut ? { reason: s.cut } : {}),
  };
  let ended: DomainEvent;
  if (s.phase === 'bridged' && s.offer && s.bridgeId) {
    const release: CallCommand = {
      kind: 'release_agent',
      agentId: s.offer.agentId,
      callId: s.callId,
      after: 'talk',
      wrapUpS: rulesOf(env, s)?.wrapUpS ?? 0,
    };
    const teardown: CallCommand[] = [
      ...(keepCaller ? [] : [{ kind: 'hangup' as const, channelId: by === 'agent' ? s.channelId : s.offer.legId }]),
      { kind: 'destroy_bridge', bridgeId: s.bridgeId },
    ];
    // The agent who hung up has a free phone now: given back before two requests to Asterisk
    // (50-100 ms each under load) rather than after. When the caller hung up, the agent's leg
    // is hung up first, or the next offer could find the phone still busy with this call.
    commands.push(...(by === 'agent' ? [release, ...teardown] : [...teardown, release]));
    // After destroy_bridge: Asterisk closes the file when its bridge goes.
    if (s.recording)
      for (const f of [s.recording, ...(s.recording.legs ?? [])])
        commands.push({ kind: 'finish_recording', callId: s.callId, recordingId: f.id, name: f.name });
    ended = stamp(ctx, { ...base, outcome: 'answered', agentId: s.offer.agentId, talkMs: ctx.now - (s.answeredAt ?? ctx.now) });
  } else if (s.phase === 'callback') {
    // Not an abandon: the caller keeps their place and is called back when their turn comes.
    if (by !== 'caller') commands.push({ kind: 'hangup', channelId: s.channelId });
    ended = stamp(ctx, { ...base, outcome: 'callback_requested', waitMs: ctx.now - (s.route?.enqueuedAt ?? ctx.now) });
  } else if (s.closing) {
    // A queue rule ended the call (max wait, queue full, no agents): not an abandon, the caller did not choose it.
    if (by !== 'caller') commands.push({ kind: 'hangup', channelId: s.channelId });
    ended = stamp(ctx, { ...base, outcome: 'rejected', reason: s.closing.reason, waitMs: ctx.now - (s.route?.enqueuedAt ?? ctx.now) });
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
    const abandonedAt = s.phase === 'ringing' ? 'ringing' : s.phase === 'queued' || (s.phase === 'voicemail' && s.route) ? 'queue' : 'ivr';
    const waitMs = s.route ? ctx.now - s.route.enqueuedAt : undefined;
    // Cut (its Asterisk restarted): not an abandon, the caller did not choose it; not answered.
    if (s.cut) ended = stamp(ctx, { ...base, outcome: 'rejected', agentId: s.offer?.agentId, waitMs });
    else
      ended = stamp(ctx, {
        ...base,
        outcome: 'abandoned',
        abandonedAt,
        agentId: s.offer?.agentId,
        ivrNode: abandonedAt === 'ivr' ? s.ivr.nodeId : undefined,
        waitMs,
        // Short: the caller gave up within the threshold of asking for a person (or of calling, in the IVR).
        short: (abandonedAt === 'ivr' ? durationMs : (waitMs ?? durationMs)) < env.shortAbandonMs,
        positionAtEntry: position?.atEntry,
        positionAtAbandon: position?.atAbandon,
        ivrPath: s.ivr.path.map((p) => (p.digit ? `${p.digit}:${p.nodeId}` : p.nodeId)),
        line: s.route?.line,
        subLine: s.route?.subLine,
      });
  }
  return { state: { ...s, phase: 'ended' }, commands, events: [...step.events, ended] };
}
