/**
 * Domain events: what happened to a call or an agent, in words a report can use.
 * Every event has a unique id (idempotent writes), the call or agent it concerns, and a time.
 * Version 1 of the contract; the ids are assigned by the caller of the core (see Clock/Ids).
 */
import type { IvrEventBody } from './ivr/events.js';
import type { Ctx } from './ctx.js';

export type HungUpBy = 'caller' | 'agent' | 'system';
export type AbandonedAt = 'ivr' | 'queue' | 'ringing';
// How call.ended says the call ended (reports map it to a CallRecordOutcome). Its name is a definition
// in the published contract (schemas/events.v1.json), so it stays; a line comment keeps it out of the schema.
export type CallOutcome = 'answered' | 'abandoned' | 'voicemail' | 'transferred' | 'ended_in_ivr' | 'rejected' | 'callback_requested';

export type EventBody =
  | IvrEventBody
  | WorkOrderEventBody
  | { type: 'call.started'; callId: string; caller: string; dialed: string; channelId: string; ivrVersion: number; callbackFor?: string }
  | { type: 'call.callback_requested'; callId: string; caller: string; queue: string }
  /** One attempt to call a taxpayer back through the trunk, and how it went. */
  | { type: 'callback.attempted'; callId: string; caller: string; queue: string; attempt: number; result: string }
  /** Every attempt failed: an abandon of its own kind ("callback failed"). */
  | { type: 'callback.failed'; callId: string; caller: string; queue: string; attempts: number }
  /**
   * A callback not dialled: the number may not be dialled (core/outbound/dial-policy.ts) or its
   * calls today are used up (`daily_cap`). Not retried.
   */
  | { type: 'callback.refused'; callId: string; caller: string; queue: string; reason: string }
  /** The waiting caller pressed 1, but their number may not be called back: told so, they keep their place. */
  | { type: 'call.callback_refused'; callId: string; caller: string; queue: string; reason: string }
  | {
      type: 'call.queued';
      callId: string;
      queue: string;
      skills: Record<string, number>;
      priority: number;
      /** The business line for reports: 财政 / 国税 / 地税 / 其它, and the sub-line if any. */
      line: string;
      subLine?: string;
      preferredAgentId?: string;
    }
  | { type: 'call.overflowed'; callId: string; fromQueue: string; toQueue: string }
  | { type: 'call.voicemail_left'; callId: string; queue: string; recording: string; durationS: number }
  | { type: 'call.transferred'; callId: string; number: string }
  /** An IVR transfer's number failed the dial policy when the call reached it (the policy changed since activation): the call is ended. */
  | { type: 'call.transfer_refused'; callId: string; number: string; reason: string }
  | { type: 'call.agent_offered'; callId: string; agentId: string; channelId: string }
  | { type: 'call.agent_missed'; callId: string; agentId: string; reason: string }
  | { type: 'call.agent_answered'; callId: string; agentId: string; waitMs: number }
  /**
   * The conversation is being recorded (the queue records: core/call/recording.ts): `name` is the
   * file's path under the recordings directory, without extension; kept `retentionDays` from now.
   */
  | {
      type: 'call.recording_started';
      callId: string;
      recordingId: string;
      name: string;
      kind: 'mix' | 'caller' | 'agent';
      queue: string;
      agentId: string;
      caller: string;
      retentionDays: number;
    }
  /**
   * The recording's file is complete: its length, size and SHA-256. `endReason`: 'call_ended', or
   * 'recovered' when an instance finished it after the one that started it stopped, 'missing' when
   * no file was found (sizeBytes 0), 'failed' when Asterisk refused to record.
   */
  | {
      type: 'call.recorded';
      callId: string;
      recordingId: string;
      name: string;
      durationMs: number;
      sizeBytes: number;
      sha256?: string;
      endReason: 'call_ended' | 'recovered' | 'missing' | 'failed';
    }
  /**
   * Supervision of a live call (features/supervision): a supervisor's phone joined the call in a
   * mode (listen 监听 / whisper 耳语 / barge 强插), switched mode, or left (`reason`).
   * `supervisor` is the account that asked; `phone` the agent id of the phone that joined.
   */
  | {
      type: 'supervision.joined';
      supervisionId: string;
      callId: string;
      agentId: string;
      supervisor: string;
      phone: string;
      mode: 'listen' | 'whisper' | 'barge';
    }
  | { type: 'supervision.mode_changed'; supervisionId: string; callId: string; from: string; to: 'listen' | 'whisper' | 'barge' }
  | {
      type: 'supervision.left';
      supervisionId: string;
      callId: string;
      reason: 'left' | 'supervisor_hung_up' | 'call_ended' | 'no_answer' | 'failed';
      joinedMs: number;
    }
  /** The retention job deleted an expired recording's file (its row stays, marked deleted). */
  | { type: 'recording.deleted'; recordingId: string; callId: string; name: string; by: string }
  | {
      type: 'call.ended';
      callId: string;
      hungUpBy: HungUpBy;
      outcome: CallOutcome;
      abandonedAt?: AbandonedAt;
      /** For abandons in the IVR: the node the caller was at. */
      ivrNode?: string;
      queue?: string;
      agentId?: string;
      durationMs: number;
      /** Time from entering the queue to the end, for calls that were queued and not answered. */
      waitMs?: number;
      talkMs?: number;
      /** Abandons: shorter than the short-abandon threshold. */
      short?: boolean;
      positionAtEntry?: number;
      positionAtAbandon?: number;
      /** Abandons: the IVR nodes the caller went through, "digit:node" where a key led there. */
      ivrPath?: string[];
      line?: string;
      subLine?: string;
      /** Rejected calls: which queue rule ended them. */
      reason?: string;
    }
  /**
   * After the agent hung up, the caller answered the satisfaction survey (core/call/survey.ts):
   * score 1 满意 (satisfied), 2 基本满意 (fairly satisfied), 3 不满意 (dissatisfied). `asked`: 1,
   * or 2 when the question had to be repeated.
   */
  | { type: 'call.survey_answered'; callId: string; agentId: string; queue: string; score: 1 | 2 | 3; asked: number }
  /**
   * The survey was offered and got no score: `no_answer` (no key after the repeat), `invalid_key`
   * (a key other than 1-3 after the repeat), `caller_hung_up` (the caller left during the question).
   * Exactly one of the two survey events follows each offered survey.
   */
  | {
      type: 'call.survey_unanswered';
      callId: string;
      agentId: string;
      queue: string;
      reason: 'no_answer' | 'invalid_key' | 'caller_hung_up';
      asked: number;
    }
  /**
   * A call's summary (来电小结) was saved: at wrap-up, or corrected later (each save a new
   * version). agentId is the agent who answered the call (`by` is who saved); categoryPath is the
   * category's names from the root as they were; articleIds the knowledge-base articles linked.
   */
  | {
      type: 'call.summarized';
      callId: string;
      agentId: string;
      queue: string | null;
      categoryId: number;
      categoryPath: string[];
      resolution: 'answered' | 'work_order' | 'transferred' | 'callback_promised';
      articleIds: number[];
      version: number;
      by: string;
    }
  /**
   * A recorded call was scored against the quality review form (features/quality). No comment or
   * summary text: those are read through the API's visibility rules. `total`: the weighted
   * percentage 0..100 (one decimal, rounded down); `formVersion`: the form it was scored on.
   */
  | {
      type: 'quality.reviewed';
      reviewId: string;
      recordingId: string;
      callId: string;
      agentId: string;
      reviewer: string;
      formVersion: number;
      total: number;
    }
  | {
      type: 'agent.state_changed';
      agentId: string;
      from: string;
      to: string;
      reason?: string;
      callId?: string;
      /** Who asked for the change: ops through the API, the agent's phone (feature codes), or the service. */
      via?: 'api' | 'phone' | 'system';
      /** Set when the agent is paused: a code of the pause_reasons table. */
      pauseReason?: string;
    };

/**
 * Work orders (工单, features/workorders): each step of an order. No event carries an order's
 * title, content or notes (a report of a violation names its informant): those stay in
 * work_order_steps, read through the API's visibility rules.
 */
export type WorkOrderEventBody =
  /** An order was created (from a call: `callId`). `dueAt`: its due time (ISO, UTC). */
  | {
      type: 'workorder.created';
      orderId: string;
      orderType: 'transfer' | 'complaint' | 'report' | 'suggestion';
      aboutStaff: boolean;
      department?: string;
      callId?: string;
      createdBy: string;
      dueAt: string;
    }
  /** Handed to a department (again: `from` the one before). Its clock starts again: `dueAt`. */
  | { type: 'workorder.assigned'; orderId: string; department: string; from?: string; by: string; dueAt: string }
  /** The department's answer was recorded. `late`: after the due time. */
  | { type: 'workorder.replied'; orderId: string; department?: string; by: string; late: boolean }
  /** The caller was answered: `callback` (a callback scheduled through features/callbacks) or a `note` that it was done. */
  | { type: 'workorder.caller_replied'; orderId: string; via: 'callback' | 'note'; by: string }
  /** 75 % of the time to the due time passed without a reply: the department is reminded. */
  | { type: 'workorder.reminded'; orderId: string; department?: string; dueAt: string }
  /** Due and still without a reply: escalated to supervisors (the order is flagged). */
  | { type: 'workorder.escalated'; orderId: string; department?: string; dueAt: string }
  | { type: 'workorder.closed'; orderId: string; by: string }
  /** Reopened after it was closed; its clock starts again (`dueAt`). */
  | { type: 'workorder.reopened'; orderId: string; by: string; dueAt: string };

export type DomainEvent = EventBody & { id: string; at: string; v: 1 };

export type { Ctx };

export function stamp(ctx: Ctx, body: EventBody): DomainEvent {
  return { ...body, id: ctx.newId(), at: new Date(ctx.now).toISOString(), v: 1 };
}
