import type { AgentState } from '../agents/state.js';

/**
 * What the ACD knows when it decides which waiting call goes to which agent.
 * Plain data: the Redis store and the config loader produce these, the routing core only reads them.
 * Times are epoch milliseconds; durations in rules are seconds because people write the rules.
 */

/** Skill name -> proficiency (agents, 1..5) or minimum proficiency (requirements, 1..5). */
export type Skills = Readonly<Record<string, number>>;

export interface Agent {
  agentId: string;
  state: AgentState;
  /** Whether the agent's phone is SIP-registered; an unregistered phone cannot ring. */
  registered: boolean;
  skills: Skills;
  /** Queues this agent serves. */
  queues: readonly string[];
  /** When the agent last became available; smaller = idle longer. */
  idleSince: number;
  callsHandled: number;
  /** When the agent was last offered a call (round_robin); never offered = undefined. */
  lastOfferedAt?: number;
}

export interface WaitingCall {
  callId: string;
  queue: string;
  /** What the IVR worked out the caller needs; used by steps whose skills are 'inherit'. */
  skills: Skills;
  /** Higher is served first. */
  priority: number;
  enqueuedAt: number;
  caller: string;
  /** The agent who last handled this caller; gets the call alone for the queue's preferredAgentS. */
  preferredAgentId?: string;
  /** Agents never to offer this call to, e.g. ones that just let it ring out. */
  excludedAgents?: readonly string[];
}

export type Strategy = 'longest_idle' | 'most_skilled' | 'fewest_calls' | 'round_robin';

/**
 * A step's requirement. An object REPLACES whatever came before (it is not merged with the call's
 * skills); 'inherit' means the call's own skills; 'any' means any agent serving the queue.
 */
export type StepSkills = Skills | 'any' | 'inherit';

/** One of a queue's routing steps: who may take a call once it has waited this long. */
export interface QueueStep {
  /** Seconds of waiting after which this step applies; steps[0].afterS is 0 and they strictly increase. */
  afterS: number;
  skills: StepSkills;
}

export type OnExpiry =
  | { afterS: number; action: 'overflow'; toQueue: string }
  | { afterS: number; action: 'callback' }
  | { afterS: number; action: 'voicemail' }
  | { afterS: number; action: 'message_hangup'; prompt: string };

/** What to do with a call that waited too long (see expiry.ts). */
export type ExpiryAction =
  | { action: 'overflow'; toQueue: string }
  | { action: 'callback' }
  | { action: 'voicemail' }
  | { action: 'message_hangup'; prompt: string }
  /** maxWaitS reached: stop queueing; the call flow ends the call. */
  | { action: 'max_wait' };

export interface QueueRules {
  queue: string;
  strategy: Strategy;
  /** Seconds a returning caller is offered only to their last agent. */
  preferredAgentS: number;
  steps: readonly QueueStep[];
  onExpiry?: OnExpiry;
  wrapUpS: number;
  ringTimeoutS: number;
  /** Hard cap on time in queue; onExpiry.afterS, if set, is not later than this. */
  maxWaitS?: number;
  maxQueued?: number;
  /** Consecutive missed offers before the agent is paused; 0 = never pause. */
  noAnswerPauseAfter: number;
  /**
   * After the AGENT hangs up, the caller hears the satisfaction survey (满意度调查) before we hang
   * up (core/call/survey.ts). Off unless a configuration says so.
   */
  survey?: boolean;
  /**
   * Calls answered in this queue are recorded (both parties, one file: core/call/recording.ts),
   * kept `retentionDays` unless on hold; `notice`: the caller hears that the call is recorded
   * before any agent is connected. Absent: not recorded.
   */
  recording?: RecordingRules;
}

export interface RecordingRules {
  notice: boolean;
  retentionDays: number;
  /** Besides the mix, a file per party (what the caller said, what the agent said). */
  legs: boolean;
}

/** Validated rules, keyed by queue name so per-call lookups are O(1). */
export interface RoutingRules {
  queues: ReadonlyMap<string, QueueRules>;
}

export interface Assignment {
  callId: string;
  agentId: string;
  /** Index of the queue step that was active when the decision was made (for reports). */
  step: number;
}

export function routingRules(queues: readonly QueueRules[]): RoutingRules {
  return { queues: new Map(queues.map((q) => [q.queue, q])) };
}
