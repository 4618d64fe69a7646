/**
 * Per-queue routing rules as written by an administrator (YAML/JSON), checked before use.
 *
 * How steps work (Amazon Connect "routing criteria" style): a call that has waited w seconds is
 * routed by the LAST step whose afterS <= w. steps[0].afterS must be 0 and afterS strictly increases.
 * Each step's `skills` REPLACES the requirement of the step before (nothing is merged):
 *   - an object { skill: minProficiency } - exactly these skills at least at these levels;
 *   - 'inherit' - the call's own skills, as worked out by the IVR;
 *   - 'any'     - any agent serving the queue.
 * So "start with what the IVR asked for, then relax to level 2, then anyone" is
 *   steps: [{ afterS: 0, skills: inherit }, { afterS: 30, skills: { vat: 2 } }, { afterS: 90, skills: any }]
 * Replacing rather than merging keeps each step readable on its own: what you see is what applies.
 *
 * Expiry: onExpiry fires once the call has waited onExpiry.afterS; maxWaitS is a hard cap that wins
 * over it (a declined callback offer must not keep a caller queued for ever), so onExpiry.afterS may
 * not exceed maxWaitS. Overflow may not target its own queue or form a loop (A -> B -> A).
 *
 * Survey: `survey: true` on a queue plays the satisfaction survey (满意度调查: 1 满意, 2 基本满意,
 * 3 不满意) to the caller after the AGENT hangs up (never when the caller hung up first); off by
 * default, so a configuration without the field behaves as before (core/call/survey.ts).
 *
 * Recording: `recording: { enabled: true, notice?: true, retentionDays?: 180, legs?: false }` records every
 * answered call of the queue (both parties in one file; with `legs`, a file per party as well) and plays the recording notice (录音提示) before an
 * agent is connected unless `notice: false`; `enabled: false` or no field: not recorded.
 *
 * Defaults: preferredAgentS 10, noAnswerPauseAfter 1 (0 = never pause). Everything else named in
 * the schema without Optional is required. Unknown properties are errors (they are usually typos).
 * Validation is two passes: shape (TypeBox), then meaning (known skills/queues, ordering). Meaning
 * errors are reported only when the shape is right, so every message points at a real field.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { OnExpiry, QueueRules, RoutingRules, QueueStep } from './model.js';

/** Ten years: longer is a typo, and a file kept for ever is a liability. */
const MAX_RETENTION_DAYS = 3650;
const Seconds = Type.Number({ minimum: 0 });

/**
 * How big a routing configuration may be: it is checked on the thread that serves calls, and
 * every routing round reads it. The shipped one has 9 queues, 8 skills and 3 steps a queue.
 */
export const ROUTING_LIMITS = {
  queues: 500,
  skills: 500,
  /** Steps of one queue. */
  steps: 20,
  /** Skills one step asks for. */
  stepSkills: 50,
  /** Queue names, skill codes, prompt names. */
  name: 100,
  /** A skill's display names. */
  label: 200,
} as const;
const Name = Type.String({ minLength: 1, maxLength: ROUTING_LIMITS.name });

const StepSchema = Type.Object(
  {
    afterS: Seconds,
    skills: Type.Union(
      [
        Type.Literal('any'),
        Type.Literal('inherit'),
        Type.Record(Type.String(), Type.Number(), { maxProperties: ROUTING_LIMITS.stepSkills }),
      ],
      {
        errorMessage: "must be 'any', 'inherit' or an object of skill: minimum proficiency",
      },
    ),
  },
  { additionalProperties: false },
);

// One object with optional fields rather than a union of four: a union only says "no variant
// matched", while this lets the second pass name the exact missing or misplaced field.
const OnExpirySchema = Type.Object(
  {
    afterS: Seconds,
    action: Type.Union([Type.Literal('overflow'), Type.Literal('callback'), Type.Literal('voicemail'), Type.Literal('message_hangup')], {
      errorMessage: "must be one of 'overflow', 'callback', 'voicemail', 'message_hangup'",
    }),
    toQueue: Type.Optional(Name),
    prompt: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const QueueRulesSchema = Type.Object(
  {
    queue: Name,
    strategy: Type.Union(
      [Type.Literal('longest_idle'), Type.Literal('most_skilled'), Type.Literal('fewest_calls'), Type.Literal('round_robin')],
      { errorMessage: "must be one of 'longest_idle', 'most_skilled', 'fewest_calls', 'round_robin'" },
    ),
    preferredAgentS: Type.Optional(Seconds),
    steps: Type.Array(StepSchema, { minItems: 1, maxItems: ROUTING_LIMITS.steps }),
    onExpiry: Type.Optional(OnExpirySchema),
    wrapUpS: Seconds,
    ringTimeoutS: Type.Number({ exclusiveMinimum: 0 }),
    maxWaitS: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    maxQueued: Type.Optional(Type.Integer({ minimum: 1 })),
    noAnswerPauseAfter: Type.Optional(Type.Integer({ minimum: 0 })),
    survey: Type.Optional(Type.Boolean()),
    recording: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          notice: Type.Optional(Type.Boolean()),
          retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS })),
          legs: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RulesSchema = Type.Object(
  { queues: Type.Array(QueueRulesSchema, { maxItems: ROUTING_LIMITS.queues }) },
  { additionalProperties: false },
);

export type RulesInput = Static<typeof RulesSchema>;

export const DEFAULT_PREFERRED_AGENT_S = 10;
/** Recordings are kept this long unless a queue says otherwise (or a hold keeps one longer). */
export const DEFAULT_RETENTION_DAYS = 180;
export const DEFAULT_NO_ANSWER_PAUSE_AFTER = 1;

export interface RuleError {
  /** JSON Pointer to the offending field, e.g. /queues/2/steps/1/afterS. */
  path: string;
  message: string;
}

export type ValidateResult = { ok: true; rules: RoutingRules } | { ok: false; errors: RuleError[] };

export interface Known {
  knownSkills: Iterable<string>;
  knownQueues: Iterable<string>;
}

export function validateRules(input: unknown, known: Known): ValidateResult {
  const shape = shapeErrors(RulesSchema, input);
  if (shape.length > 0) return { ok: false, errors: shape };
  const doc = input as RulesInput;
  const errors = meaningErrors(doc, new Set(known.knownSkills), new Set(known.knownQueues));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rules: { queues: new Map(doc.queues.map((q) => [q.queue, normalize(q)])) } };
}

function shapeErrors(schema: TSchema, input: unknown): RuleError[] {
  const seen = new Set<string>();
  const out: RuleError[] = [];
  for (const e of Value.Errors(schema, input)) {
    // TypeBox reports a missing union-typed field twice (required + union); one line per field is enough.
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const custom = (e.schema as { errorMessage?: unknown }).errorMessage;
    const message =
      e.value === undefined && e.message === 'Expected required property' ? 'is required' : typeof custom === 'string' ? custom : e.message;
    out.push({ path: e.path, message });
  }
  return out;
}

function meaningErrors(doc: RulesInput, skills: Set<string>, queues: Set<string>): RuleError[] {
  const errors: RuleError[] = [];
  const err = (message: string, ...at: Array<string | number>) => errors.push({ path: pointer(at), message });
  const firstIndex = new Map<string, number>();

  doc.queues.forEach((q, i) => {
    if (!queues.has(q.queue)) err(`unknown queue '${q.queue}'`, 'queues', i, 'queue');
    const dup = firstIndex.get(q.queue);
    if (dup !== undefined) err(`queue '${q.queue}' already has rules at /queues/${dup}`, 'queues', i, 'queue');
    else firstIndex.set(q.queue, i);

    q.steps.forEach((s, j) => {
      if (j === 0 && s.afterS !== 0) err('the first step must start at 0', 'queues', i, 'steps', 0, 'afterS');
      const prev = q.steps[j - 1];
      if (prev && !(s.afterS > prev.afterS)) {
        err(`must be greater than the previous step's afterS (${prev.afterS})`, 'queues', i, 'steps', j, 'afterS');
      }
      if (typeof s.skills === 'object') {
        for (const [skill, level] of Object.entries(s.skills)) {
          const at = ['queues', i, 'steps', j, 'skills', skill] as const;
          if (!skills.has(skill)) err(`unknown skill '${skill}'`, ...at);
          if (!Number.isInteger(level) || level < 1 || level > 5) err('proficiency must be an integer 1..5', ...at);
        }
      }
    });

    const x = q.onExpiry;
    if (x) {
      const at = ['queues', i, 'onExpiry'] as const;
      if (x.action === 'overflow') {
        if (x.toQueue === undefined) err("is required when action is 'overflow'", ...at, 'toQueue');
        else if (x.toQueue === q.queue) err('cannot overflow a queue to itself', ...at, 'toQueue');
        else if (!queues.has(x.toQueue)) err(`unknown queue '${x.toQueue}'`, ...at, 'toQueue');
      } else if (x.toQueue !== undefined) err("only allowed when action is 'overflow'", ...at, 'toQueue');
      if (x.action === 'message_hangup') {
        if (x.prompt === undefined) err("is required when action is 'message_hangup'", ...at, 'prompt');
      } else if (x.prompt !== undefined) err("only allowed when action is 'message_hangup'", ...at, 'prompt');
      if (q.maxWaitS !== undefined && x.afterS > q.maxWaitS) {
        err(`must not be later than maxWaitS (${q.maxWaitS})`, ...at, 'afterS');
      }
    }
  });

  // A -> B -> A would bounce a caller between queues for ever; report it once, where it closes.
  const next = new Map<string, { to: string; i: number }>();
  doc.queues.forEach((q, i) => {
    if (q.onExpiry?.action === 'overflow' && q.onExpiry.toQueue && q.onExpiry.toQueue !== q.queue && firstIndex.get(q.queue) === i) {
      next.set(q.queue, { to: q.onExpiry.toQueue, i });
    }
  });
  // Each queue is walked once: a walk stops at a queue an earlier walk finished (whose loop, if
  // any, was reported then), so a long overflow chain costs its length, not its square.
  const done = new Set<string>();
  for (const start of next.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let cur: string | undefined = start;
    while (cur !== undefined && !onPath.has(cur) && !done.has(cur)) {
      onPath.set(cur, path.length);
      path.push(cur);
      cur = next.get(cur)?.to;
    }
    for (const q of path) done.add(q);
    if (cur === undefined || !onPath.has(cur)) continue;
    const cycle = path.slice(onPath.get(cur));
    const last = cycle[cycle.length - 1]!;
    err(`overflow loop: ${[...cycle, cur].join(' -> ')}`, 'queues', next.get(last)!.i, 'onExpiry', 'toQueue');
  }
  return errors;
}

function normalize(q: RulesInput['queues'][number]): QueueRules {
  const steps: QueueStep[] = q.steps.map((s) => ({ afterS: s.afterS, skills: s.skills }));
  const out: QueueRules = {
    queue: q.queue,
    strategy: q.strategy,
    preferredAgentS: q.preferredAgentS ?? DEFAULT_PREFERRED_AGENT_S,
    steps,
    wrapUpS: q.wrapUpS,
    ringTimeoutS: q.ringTimeoutS,
    noAnswerPauseAfter: q.noAnswerPauseAfter ?? DEFAULT_NO_ANSWER_PAUSE_AFTER,
  };
  if (q.onExpiry) out.onExpiry = expiryOf(q.onExpiry);
  if (q.maxWaitS !== undefined) out.maxWaitS = q.maxWaitS;
  if (q.maxQueued !== undefined) out.maxQueued = q.maxQueued;
  // Only when on: a configuration without the field normalizes exactly as before.
  if (q.survey) out.survey = true;
  if (q.recording?.enabled)
    out.recording = {
      notice: q.recording.notice ?? true,
      retentionDays: q.recording.retentionDays ?? DEFAULT_RETENTION_DAYS,
      legs: q.recording.legs ?? false,
    };
  return out;
}

function expiryOf(x: NonNullable<RulesInput['queues'][number]['onExpiry']>): OnExpiry {
  switch (x.action) {
    case 'overflow':
      return { afterS: x.afterS, action: 'overflow', toQueue: x.toQueue! };
    case 'message_hangup':
      return { afterS: x.afterS, action: 'message_hangup', prompt: x.prompt! };
    default:
      return { afterS: x.afterS, action: x.action };
  }
}

/** RFC 6901: '~' and '/' inside a segment are escaped so skill names like "vat/export" stay one segment. */
function pointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
