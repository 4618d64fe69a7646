/**
 * Whether one agent may be offered one waiting call right now.
 * This is the definition; assign.ts answers the same question in bulk with indexes and must agree
 * with it exactly (the property tests check that).
 */
import { offerable } from '../agents/state.js';
import type { Agent, QueueRules, RoutingRules, Skills, StepSkills, WaitingCall } from './model.js';

/** Skill requirements as [skill, minimum] pairs, trivially-met ones dropped. */
export type Requirement = ReadonlyArray<readonly [skill: string, min: number]>;

/** Looks up any agent by id, whatever its state; used to see whether a preferred agent is logged in. */
export type FindAgent = (agentId: string) => Agent | undefined;

export function isEligible(agent: Agent, call: WaitingCall, rules: RoutingRules, now: number, findAgent: FindAgent): boolean {
  const q = rules.queues.get(call.queue);
  if (!q || !offerable(agent) || isExcluded(call, agent.agentId) || !serves(agent, call.queue)) return false;
  const wait = waitMs(call, now);
  const req = requirementOf(q.steps[stepIndexAt(q, wait)]!.skills, call);
  if (!qualifies(agent.skills, req)) return false;
  const holder = preferredHolder(call, q, wait, req, findAgent);
  return holder === undefined || holder.agentId === agent.agentId;
}

/**
 * The agent a returning caller is being held for, or undefined when normal rules apply.
 * Holding only makes sense if that agent could take the call at all: logged in (possibly busy, which
 * is why we wait), serving the queue, qualified for the current step, and not the one who just
 * missed it. Otherwise the caller would wait the whole window for nothing.
 */
export function preferredHolder(call: WaitingCall, q: QueueRules, wait: number, req: Requirement, findAgent: FindAgent): Agent | undefined {
  const id = call.preferredAgentId;
  if (id === undefined || wait >= toMs(q.preferredAgentS) || isExcluded(call, id)) return undefined;
  const p = findAgent(id);
  if (!p || p.state === 'logged_out' || !serves(p, call.queue) || !qualifies(p.skills, req)) return undefined;
  return p;
}

/** Time in queue in ms; a call stamped slightly in the future (clock skew) has waited 0. */
export function waitMs(call: WaitingCall, now: number): number {
  return Math.max(0, now - call.enqueuedAt);
}

/** Rule seconds to ms, rounded so 1.1 s is exactly 1100 ms and step changes land on exact instants. */
export function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

/** The last step whose afterS has passed; steps[0] starts at 0 so there always is one. */
export function stepIndexAt(q: QueueRules, wait: number): number {
  for (let i = q.steps.length - 1; i > 0; i--) if (wait >= toMs(q.steps[i]!.afterS)) return i;
  return 0;
}

/**
 * A step's requirement for this call. Minimums that are not positive numbers ask for nothing: every
 * agent has at least proficiency 0 in everything, and junk from the IVR must not strand a caller.
 */
export function requirementOf(skills: StepSkills, call: WaitingCall): Requirement {
  if (skills === 'any') return [];
  return requirementFrom(skills === 'inherit' ? call.skills : skills);
}

export function requirementFrom(src: Skills): Requirement {
  const out: Array<readonly [string, number]> = [];
  for (const s of Object.keys(src)) {
    const m = src[s];
    if (typeof m === 'number' && m > 0) out.push([s, m]);
  }
  return out;
}

/** An agent's proficiency; a missing or nonsensical value counts as none. hasOwn keeps "constructor" etc. out. */
export function proficiency(skills: Skills, skill: string): number {
  if (!Object.hasOwn(skills, skill)) return 0;
  const v = skills[skill];
  return typeof v === 'number' && v > 0 ? v : 0;
}

export function qualifies(skills: Skills, req: Requirement): boolean {
  for (const [s, m] of req) if (!(proficiency(skills, s) >= m)) return false;
  return true;
}

export function serves(agent: Agent, queue: string): boolean {
  return agent.queues.includes(queue);
}

export function isExcluded(call: WaitingCall, agentId: string): boolean {
  return call.excludedAgents !== undefined && call.excludedAgents.includes(agentId);
}
