import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateRoutingConfig } from '../../src/core/routing/config.js';
import { ROUTING_LIMITS, validateRules, type RuleError } from '../../src/core/routing/rules.js';
import { cpuTimed } from '../support/cpu-time.js';

/** A routing upload is checked on the thread that serves calls: bounded in size, linear in time. */

const queue = (name: string, over: Record<string, unknown> = {}) => ({
  queue: name,
  strategy: 'longest_idle',
  steps: [{ afterS: 0, skills: 'any' }],
  wrapUpS: 5,
  ringTimeoutS: 20,
  ...over,
});
const overflow = (toQueue: string) => ({ onExpiry: { afterS: 60, action: 'overflow', toQueue } });

function errorsOf(input: unknown): RuleError[] {
  const r = validateRoutingConfig(input);
  if (r.ok) throw new Error('expected validation to fail');
  return r.errors;
}

/** The loop search the validator used before (a walk per queue, quadratic each), kept as the judge. */
function loopsByOldWalk(next: Map<string, string>): string[] {
  const reported = new Set<string>();
  const out: string[] = [];
  for (const start of next.keys()) {
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !path.includes(cur)) {
      path.push(cur);
      cur = next.get(cur);
    }
    if (cur === undefined) continue;
    const cycle = path.slice(path.indexOf(cur));
    const key = [...cycle].sort().join('\u0000');
    if (reported.has(key)) continue;
    reported.add(key);
    out.push(`overflow loop: ${[...cycle, cur].join(' -> ')}`);
  }
  return out;
}

describe('routing size bounds', () => {
  it('refuse too many queues at /queues before looking at any', () => {
    const queues = Array.from({ length: ROUTING_LIMITS.queues + 1 }, (_, i) => ({ nonsense: i }));
    expect(errorsOf({ skills: [], queues })).toEqual([
      { path: '/queues', message: `at most ${ROUTING_LIMITS.queues} queues (got ${ROUTING_LIMITS.queues + 1})` },
    ]);
  });

  it('refuse too many skills at /skills', () => {
    const skills = Array.from({ length: ROUTING_LIMITS.skills + 1 }, (_, i) => ({ code: `s${i}`, zh: '技能' }));
    expect(errorsOf({ skills, queues: [] }).map((e) => e.path)).toEqual(['/skills']);
  });

  it('refuse too many steps in a queue, naming it', () => {
    const steps = Array.from({ length: ROUTING_LIMITS.steps + 1 }, (_, i) => ({ afterS: i, skills: 'any' }));
    expect(errorsOf({ skills: [], queues: [queue('q', { steps })] }).map((e) => e.path)).toEqual(['/queues/0/steps']);
  });

  it('refuse a skill name longer than the limit, naming it', () => {
    expect(errorsOf({ skills: [{ code: 'a'.repeat(ROUTING_LIMITS.name + 1), zh: '技能' }], queues: [] }).map((e) => e.path)).toEqual([
      '/skills/0/code',
    ]);
  });

  it('check the longest allowed overflow chain, and a loop through all of it, in linear time', () => {
    const n = ROUTING_LIMITS.queues;
    const names = Array.from({ length: n }, (_, i) => `q${i}`);
    const chain = names.map((q, i) => queue(q, i + 1 < n ? overflow(names[i + 1]!) : {}));
    const loop = names.map((q, i) => queue(q, overflow(names[(i + 1) % n]!)));
    const { value: errors, ms: t } = cpuTimed(() => {
      expect(validateRoutingConfig({ skills: [], queues: chain }).ok).toBe(true);
      return errorsOf({ skills: [], queues: loop });
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^overflow loop: q0 -> q1 -> .* -> q499 -> q0$/);
    expect(t).toBeLessThan(200);
  });

  it('report the same overflow loops as the old walk, on random overflow graphs', () => {
    const graphs = fc
      .integer({ min: 1, max: 12 })
      .chain((n) => fc.array(fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }), { minLength: n, maxLength: n }));
    fc.assert(
      fc.property(graphs, (targets) => {
        const names = targets.map((_, i) => `q${i}`);
        const queues = names.map((q, i) => {
          const t = targets[i];
          return queue(q, t !== undefined && t !== i ? overflow(names[t]!) : {});
        });
        const next = new Map<string, string>();
        targets.forEach((t, i) => {
          if (t !== undefined && t !== i) next.set(names[i]!, names[t]!);
        });
        const r = validateRules({ queues }, { knownSkills: [], knownQueues: names });
        const loops = r.ok ? [] : r.errors.map((e) => e.message);
        expect(loops).toEqual(loopsByOldWalk(next));
      }),
      { numRuns: 500 },
    );
  });
});
