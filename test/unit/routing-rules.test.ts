import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateRules, type RuleError } from '../../src/core/routing/rules.js';

const known = {
  knownSkills: ['vat', 'cit', 'iit', 'invoice', 'vat/export'],
  knownQueues: ['general', 'vat', 'english', 'overflow'],
};

function queue(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    queue: 'general',
    strategy: 'longest_idle',
    steps: [
      { afterS: 0, skills: 'inherit' },
      { afterS: 30, skills: { vat: 2 } },
      { afterS: 90, skills: 'any' },
    ],
    wrapUpS: 15,
    ringTimeoutS: 20,
    ...over,
  };
}

function errorsOf(input: unknown): RuleError[] {
  const r = validateRules(input, known);
  if (r.ok) throw new Error('expected validation to fail');
  return r.errors;
}

function paths(input: unknown): string[] {
  return errorsOf(input).map((e) => e.path);
}

describe('validateRules: accepted rules', () => {
  it('accepts a valid document, fills defaults and keys queues by name', () => {
    const r = validateRules({ queues: [queue(), queue({ queue: 'vat', strategy: 'most_skilled', preferredAgentS: 0 })] }, known);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const g = r.rules.queues.get('general')!;
    expect(g.preferredAgentS).toBe(10);
    expect(g.noAnswerPauseAfter).toBe(1);
    expect(g.steps[1]).toEqual({ afterS: 30, skills: { vat: 2 } });
    expect(g.onExpiry).toBeUndefined();
    expect(r.rules.queues.get('vat')!.preferredAgentS).toBe(0);
  });

  it('accepts YAML as an administrator would write it', () => {
    const doc = parse(`
queues:
  - queue: vat
    strategy: most_skilled
    steps:
      - { afterS: 0, skills: inherit }
      - { afterS: 45, skills: { vat: 1 } }
    onExpiry: { afterS: 120, action: overflow, toQueue: general }
    maxWaitS: 600
    wrapUpS: 10
    ringTimeoutS: 15
    noAnswerPauseAfter: 2
  - queue: general
    strategy: round_robin
    steps: [{ afterS: 0, skills: any }]
    onExpiry: { afterS: 300, action: message_hangup, prompt: busy-try-later }
    wrapUpS: 10
    ringTimeoutS: 15
`);
    const r = validateRules(doc, known);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.rules.queues.get('vat')!.onExpiry).toEqual({ afterS: 120, action: 'overflow', toQueue: 'general' });
    expect(r.rules.queues.get('general')!.onExpiry).toEqual({ afterS: 300, action: 'message_hangup', prompt: 'busy-try-later' });
  });
});

describe('validateRules: shape errors name the field', () => {
  it('rejects a non-object document at the root', () => {
    expect(paths(42)).toEqual(['']);
  });

  it('reports a missing required field once, as required', () => {
    const q = queue();
    delete q.wrapUpS;
    delete q.strategy;
    const errs = errorsOf({ queues: [q] });
    expect(errs).toContainEqual({ path: '/queues/0/wrapUpS', message: 'is required' });
    expect(errs).toContainEqual({ path: '/queues/0/strategy', message: 'is required' });
    expect(errs.filter((e) => e.path === '/queues/0/strategy')).toHaveLength(1);
  });

  it('names the allowed strategies', () => {
    const errs = errorsOf({ queues: [queue(), queue({ queue: 'vat', strategy: 'random' })] });
    expect(errs).toEqual([{ path: '/queues/1/strategy', message: expect.stringContaining("'longest_idle'") }]);
  });

  it('flags unknown properties (typos) where they are', () => {
    expect(paths({ queues: [queue({ prefferedAgentS: 5 })] })).toEqual(['/queues/0/prefferedAgentS']);
  });

  it('flags bad step skills, empty steps and out-of-range numbers', () => {
    expect(paths({ queues: [queue({ steps: [] })] })).toEqual(['/queues/0/steps']);
    expect(paths({ queues: [queue({ steps: [{ afterS: 0, skills: 'all' }] })] })).toEqual(['/queues/0/steps/0/skills']);
    expect(paths({ queues: [queue({ steps: [{ afterS: -1, skills: 'any' }] })] })).toEqual(['/queues/0/steps/0/afterS']);
    expect(paths({ queues: [queue({ ringTimeoutS: 0 })] })).toEqual(['/queues/0/ringTimeoutS']);
    expect(paths({ queues: [queue({ noAnswerPauseAfter: 1.5 })] })).toEqual(['/queues/0/noAnswerPauseAfter']);
    expect(paths({ queues: [queue({ maxQueued: 0 })] })).toEqual(['/queues/0/maxQueued']);
  });

  it('flags an unknown expiry action', () => {
    expect(paths({ queues: [queue({ onExpiry: { afterS: 60, action: 'transfer' } })] })).toEqual(['/queues/0/onExpiry/action']);
  });
});

describe('validateRules: meaning errors name the field', () => {
  it('requires step 0 to start at 0 and afterS to strictly increase', () => {
    const steps = [
      { afterS: 0, skills: 'any' },
      { afterS: 30, skills: 'any' },
      { afterS: 30, skills: 'any' },
      { afterS: 20, skills: 'any' },
    ];
    expect(paths({ queues: [queue(), queue({ queue: 'vat', steps })] })).toEqual(['/queues/1/steps/2/afterS', '/queues/1/steps/3/afterS']);
    expect(paths({ queues: [queue({ steps: [{ afterS: 5, skills: 'any' }] })] })).toEqual(['/queues/0/steps/0/afterS']);
  });

  it('requires proficiencies to be integers 1..5', () => {
    for (const level of [0, 6, 2.5, -1]) {
      expect(errorsOf({ queues: [queue({ steps: [{ afterS: 0, skills: { vat: level } }] })] })).toEqual([
        { path: '/queues/0/steps/0/skills/vat', message: 'proficiency must be an integer 1..5' },
      ]);
    }
  });

  it('rejects unknown skills, escaping odd names in the path', () => {
    const steps = [
      { afterS: 0, skills: { vat: 3, customs: 2 } },
      { afterS: 10, skills: { 'vat/export': 1, 'a~b/c': 1 } },
    ];
    expect(paths({ queues: [queue({ steps })] })).toEqual(['/queues/0/steps/0/skills/customs', '/queues/0/steps/1/skills/a~0b~1c']);
  });

  it('rejects unknown and duplicated queues', () => {
    expect(paths({ queues: [queue({ queue: 'customs' })] })).toEqual(['/queues/0/queue']);
    expect(paths({ queues: [queue(), queue({ strategy: 'fewest_calls' })] })).toEqual(['/queues/1/queue']);
  });

  it('checks overflow targets: required, known, not itself, no loops', () => {
    const ov = (afterS: number, toQueue?: string) => ({ onExpiry: { afterS, action: 'overflow', ...(toQueue ? { toQueue } : {}) } });
    expect(paths({ queues: [queue(ov(60))] })).toEqual(['/queues/0/onExpiry/toQueue']);
    expect(paths({ queues: [queue(ov(60, 'customs'))] })).toEqual(['/queues/0/onExpiry/toQueue']);
    expect(errorsOf({ queues: [queue(ov(60, 'general'))] })).toEqual([
      { path: '/queues/0/onExpiry/toQueue', message: 'cannot overflow a queue to itself' },
    ]);
    const loop = errorsOf({
      queues: [queue(ov(60, 'vat')), queue({ queue: 'vat', ...ov(60, 'english') }), queue({ queue: 'english', ...ov(60, 'general') })],
    });
    expect(loop).toEqual([{ path: '/queues/2/onExpiry/toQueue', message: 'overflow loop: general -> vat -> english -> general' }]);
    // A chain that ends is fine.
    expect(validateRules({ queues: [queue(ov(60, 'vat')), queue({ queue: 'vat', ...ov(60, 'overflow') })] }, known).ok).toBe(true);
  });

  it('keeps fields to the action they belong to', () => {
    expect(paths({ queues: [queue({ onExpiry: { afterS: 60, action: 'message_hangup' } })] })).toEqual(['/queues/0/onExpiry/prompt']);
    expect(paths({ queues: [queue({ onExpiry: { afterS: 60, action: 'callback', toQueue: 'vat' } })] })).toEqual([
      '/queues/0/onExpiry/toQueue',
    ]);
    expect(paths({ queues: [queue({ onExpiry: { afterS: 60, action: 'voicemail', prompt: 'x' } })] })).toEqual([
      '/queues/0/onExpiry/prompt',
    ]);
  });

  it('does not let onExpiry fire after the hard maxWaitS cap', () => {
    expect(paths({ queues: [queue({ maxWaitS: 300, onExpiry: { afterS: 400, action: 'callback' } })] })).toEqual([
      '/queues/0/onExpiry/afterS',
    ]);
  });

  it('reports every meaning error at once', () => {
    const errs = errorsOf({
      queues: [
        queue({
          queue: 'customs',
          steps: [{ afterS: 1, skills: { x: 9 } }],
          onExpiry: { afterS: 5, action: 'overflow', toQueue: 'customs' },
        }),
      ],
    });
    expect(errs.map((e) => e.path)).toEqual([
      '/queues/0/queue',
      '/queues/0/steps/0/afterS',
      '/queues/0/steps/0/skills/x',
      '/queues/0/steps/0/skills/x',
      '/queues/0/onExpiry/toQueue',
    ]);
  });
});
