import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { RoutingRules } from './model.js';
import { ROUTING_LIMITS, validateRules, type RuleError } from './rules.js';

/**
 * The routing configuration as ops write it: the skills the center knows, and per-queue rules.
 * Skills are declared here so a rule (or an agent) naming an unknown skill is caught as a typo.
 */
export const SkillSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: ROUTING_LIMITS.name }),
    zh: Type.String({ minLength: 1, maxLength: ROUTING_LIMITS.label }),
    en: Type.Optional(Type.String({ maxLength: ROUTING_LIMITS.label })),
  },
  { additionalProperties: false },
);

export interface RoutingConfig {
  skills: Array<{ code: string; zh: string; en?: string }>;
  queues: unknown[];
}

export type RoutingConfigResult = { ok: true; config: RoutingConfig; rules: RoutingRules } | { ok: false; errors: RuleError[] };

export function validateRoutingConfig(input: unknown): RoutingConfigResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: 'must be an object with skills and queues' }] };
  }
  const { skills, queues, ...rest } = input as Record<string, unknown>;
  // Counted before anything else: every later check is linear, but in a size bounded here.
  const tooMany = (['skills', 'queues'] as const).flatMap((field) => {
    const list = field === 'skills' ? skills : queues;
    const max = ROUTING_LIMITS[field];
    return Array.isArray(list) && list.length > max ? [{ path: `/${field}`, message: `at most ${max} ${field} (got ${list.length})` }] : [];
  });
  if (tooMany.length) return { ok: false, errors: tooMany };
  const errors: RuleError[] = Object.keys(rest).map((k) => ({ path: `/${k}`, message: 'is not a known field (skills, queues)' }));
  if (!Array.isArray(skills)) errors.push({ path: '/skills', message: 'must be a list of { code, zh, en }' });
  else {
    const seen = new Set<string>();
    skills.forEach((s, i) => {
      for (const e of Value.Errors(SkillSchema, s)) errors.push({ path: `/skills/${i}${e.path}`, message: e.message });
      const code = (s as { code?: string })?.code;
      if (code && seen.has(code)) errors.push({ path: `/skills/${i}/code`, message: `skill "${code}" is declared twice` });
      if (code) seen.add(code);
    });
  }
  if (errors.length) return { ok: false, errors };
  const codes = new Set((skills as Array<{ code: string }>).map((s) => s.code));
  const names = new Set(Array.isArray(queues) ? queues.map((q) => (q as { queue?: string })?.queue).filter((q): q is string => !!q) : []);
  const r = validateRules({ queues }, { knownSkills: codes, knownQueues: names });
  if (!r.ok) return r;
  return { ok: true, config: { skills: skills as RoutingConfig['skills'], queues: queues as unknown[] }, rules: r.rules };
}
