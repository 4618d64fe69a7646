import { stamp, type Ctx, type DomainEvent } from '../events.js';
import type { CallCommand, CallInput, CallState, CallStep } from './session.js';

/**
 * The satisfaction survey (满意度调查) a caller hears after the AGENT hung up, on queues whose
 * rules turn it on (QueueRules.survey). By then the call is over for reports and for the agent:
 * call.ended was recorded (answered, talk time up to the agent's hang-up) and the agent released.
 * What is left is the caller's channel alone, out of the bridge:
 *
 *   question → key 1/2/3 → call.survey_answered, thank-you, we hang up
 *   question → no key within SURVEY_ANSWER_MS, or another key → the question once more
 *   second time unanswered → call.survey_unanswered, we hang up
 *   caller hangs up → call.survey_unanswered (caller_hung_up) unless they had answered; no hang-up
 *     by us, no abandon, no second call.ended
 *
 * Every offered survey gives exactly one of the two survey events (reports count them as offered).
 */
export interface SurveyState {
  agentId: string;
  queue: string;
  /** How many times the question was asked (1, or 2 after the repeat). */
  asked: number;
  /** The question playing now. */
  playbackId?: string;
  /** Waiting for a key after the question ended. */
  timerId?: string;
  /** Answered: the thank-you playing; the call ends when it does. */
  thanksPlaybackId?: string;
}

export const SURVEY_PROMPT = 'survey-question';
export const SURVEY_THANKS_PROMPT = 'survey-thanks';
/** How long after the question ends a key is waited for. */
export const SURVEY_ANSWER_MS = 8000;
/** The question is asked at most this many times (once, and one repeat). */
export const SURVEY_MAX_ASKS = 2;

const SCORES: Readonly<Record<string, 1 | 2 | 3>> = { '1': 1, '2': 2, '3': 3 };

const same = (state: CallState): CallStep => ({ state, commands: [], events: [] });

/** The agent's part ended (`ended`: call.ended and the agent's release): ask the caller. */
export function beginSurvey(ctx: Ctx, ended: CallStep, agentId: string, queue: string): CallStep {
  const playbackId = ctx.newId();
  const s = ended.state;
  return {
    state: { ...s, phase: 'survey', survey: { agentId, queue, asked: 1, playbackId } },
    commands: [...ended.commands, ask(s, playbackId)],
    events: ended.events,
  };
}

export function stepSurvey(ctx: Ctx, s: CallState, input: CallInput): CallStep {
  const v = s.survey;
  if (!v) return same(s);
  switch (input.kind) {
    case 'dtmf': {
      // Keys during the thank-you change nothing: the answer is given.
      if (v.thanksPlaybackId) return same(s);
      const quiet = stopAsking(v);
      const score = SCORES[input.digit];
      if (!score) return askAgainOrGiveUp(ctx, s, quiet, 'invalid_key');
      const thanks = ctx.newId();
      return {
        state: { ...s, survey: { agentId: v.agentId, queue: v.queue, asked: v.asked, thanksPlaybackId: thanks } },
        commands: [
          ...quiet,
          { kind: 'play', channelId: s.channelId, playbackId: thanks, prompts: [{ source: 'system', name: SURVEY_THANKS_PROMPT }] },
        ],
        events: [stamp(ctx, { type: 'call.survey_answered', callId: s.callId, agentId: v.agentId, queue: v.queue, score, asked: v.asked })],
      };
    }
    case 'playback_finished':
      if (v.thanksPlaybackId === input.playbackId) return hangUp(s, [], []);
      if (v.playbackId === input.playbackId) {
        const timerId = ctx.newId();
        return {
          state: { ...s, survey: { ...v, playbackId: undefined, timerId } },
          commands: [{ kind: 'start_timer', timerId, ms: SURVEY_ANSWER_MS }],
          events: [],
        };
      }
      // A question stopped by a key ends too; it was already dealt with.
      return same(s);
    case 'timer_fired':
      if (v.timerId !== input.timerId) return same(s);
      return askAgainOrGiveUp(ctx, { ...s, survey: { ...v, timerId: undefined } }, [], 'no_answer');
    case 'caller_hung_up':
    case 'caller_left_app': {
      // Ends quietly: the channel is gone, so nothing is played or hung up; only the wait is called off.
      const commands: CallCommand[] = v.timerId ? [{ kind: 'cancel_timer', timerId: v.timerId }] : [];
      const events = v.thanksPlaybackId ? [] : [unanswered(ctx, s, v, 'caller_hung_up')];
      return { state: { ...s, phase: 'ended', survey: { ...v, playbackId: undefined, timerId: undefined } }, commands, events };
    }
    default:
      // The agent's leg, reservations, queue rules: none concern a call whose agent is gone.
      return same(s);
  }
}

/**
 * After a restart the question's playback and timer are gone. An answered survey is over (the
 * thank-you may have been cut short): we hang up. Otherwise the question is asked once more, as
 * the last time; a caller who says nothing is then thanked by a hang-up as after any repeat.
 */
export function resumeSurvey(ctx: Ctx, s: CallState): CallStep {
  const v = s.survey;
  if (!v || v.thanksPlaybackId) return hangUp(s, [], []);
  const playbackId = ctx.newId();
  return {
    state: { ...s, survey: { agentId: v.agentId, queue: v.queue, asked: SURVEY_MAX_ASKS, playbackId } },
    commands: [ask(s, playbackId)],
    events: [],
  };
}

function askAgainOrGiveUp(ctx: Ctx, s: CallState, quiet: CallCommand[], reason: 'no_answer' | 'invalid_key'): CallStep {
  const v = s.survey!;
  if (v.asked >= SURVEY_MAX_ASKS) return hangUp(s, quiet, [unanswered(ctx, s, v, reason)]);
  const playbackId = ctx.newId();
  return {
    state: { ...s, survey: { agentId: v.agentId, queue: v.queue, asked: v.asked + 1, playbackId } },
    commands: [...quiet, ask(s, playbackId)],
    events: [],
  };
}

function hangUp(s: CallState, quiet: CallCommand[], events: DomainEvent[]): CallStep {
  const v = s.survey;
  return {
    state: { ...s, phase: 'ended', survey: v && { ...v, playbackId: undefined, timerId: undefined } },
    commands: [...quiet, { kind: 'hangup', channelId: s.channelId }],
    events,
  };
}

function stopAsking(v: SurveyState): CallCommand[] {
  const out: CallCommand[] = [];
  if (v.playbackId) out.push({ kind: 'stop_playback', playbackId: v.playbackId });
  if (v.timerId) out.push({ kind: 'cancel_timer', timerId: v.timerId });
  return out;
}

function ask(s: CallState, playbackId: string): CallCommand {
  return { kind: 'play', channelId: s.channelId, playbackId, prompts: [{ source: 'system', name: SURVEY_PROMPT }] };
}

function unanswered(ctx: Ctx, s: CallState, v: SurveyState, reason: 'no_answer' | 'invalid_key' | 'caller_hung_up'): DomainEvent {
  return stamp(ctx, { type: 'call.survey_unanswered', callId: s.callId, agentId: v.agentId, queue: v.queue, reason, asked: v.asked });
}
