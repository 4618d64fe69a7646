import type { RulesInput } from '../../../../src/core/routing/rules';

/**
 * The routing document as the page edits it (routing/12366.yaml's shape): skills and per-queue
 * rules. Edits return a new document, so a draft is always a whole, uploadable document.
 */
export type QueueRules = RulesInput['queues'][number];
export type Step = QueueRules['steps'][number];
export type StepSkills = Step['skills'];
export interface Routing {
  skills: Array<{ code: string; zh: string; en?: string }>;
  queues: QueueRules[];
}

export const STRATEGIES = ['longest_idle', 'most_skilled', 'fewest_calls', 'round_robin'] as const;
export const EXPIRY_ACTIONS = ['overflow', 'callback', 'voicemail', 'message_hangup'] as const;

export function withQueue(doc: Routing, index: number, patch: Partial<QueueRules>): Routing {
  return { ...doc, queues: doc.queues.map((q, i) => (i === index ? dropUndefined({ ...q, ...patch }) : q)) };
}

export function withStep(doc: Routing, queue: number, step: number, patch: Partial<Step>): Routing {
  const q = doc.queues[queue]!;
  return withQueue(doc, queue, { steps: q.steps.map((s, i) => (i === step ? { ...s, ...patch } : s)) });
}

/** A new step after the last, waiting longer and asking for anyone (the usual last widening). */
export function withStepAdded(doc: Routing, queue: number): Routing {
  const steps = doc.queues[queue]!.steps;
  const last = steps[steps.length - 1];
  return withQueue(doc, queue, { steps: [...steps, { afterS: last ? last.afterS + 60 : 0, skills: 'any' }] });
}

export function withStepRemoved(doc: Routing, queue: number, step: number): Routing {
  return withQueue(doc, queue, { steps: doc.queues[queue]!.steps.filter((_, i) => i !== step) });
}

/** What a step asks for, in words of the page: 'inherit', 'any', or the skills with their levels. */
export type SkillsMode = 'inherit' | 'any' | 'skills';
export const skillsMode = (s: StepSkills): SkillsMode => (s === 'any' || s === 'inherit' ? s : 'skills');

/** "vat ≥ 4, cit ≥ 3" for a skills object; the mode's name otherwise. */
export function describeSkills(s: StepSkills, label: (code: string) => string = (c) => c): string {
  if (s === 'any' || s === 'inherit') return s;
  return Object.entries(s)
    .map(([code, level]) => `${label(code)} ≥ ${level}`)
    .join(', ');
}

/** The queue names, for the overflow target and the simulator. */
export const queueNames = (doc: Routing) => doc.queues.map((q) => q.queue);

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
