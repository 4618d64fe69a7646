/** A clock, an env and a caller for the call flow's unit tests (core/call/session.ts). */
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { routingRules, type QueueRules } from '../../src/core/routing/model.js';
import type { CallEnv } from '../../src/core/call/session.js';
import type { Ctx } from '../../src/core/events.js';

export function clock(start = Date.parse('2026-12-06T17:00:00Z')) {
  let now = start;
  let n = 0;
  return { ctx: (): Ctx => ({ now, newId: () => `id${++n}` }), advance: (ms: number) => (now += ms) };
}

/** A menu-less IVR straight to the queue ntax-vat, whose rules `queue` may add to. */
export function callEnv(queue: Partial<QueueRules> = {}): CallEnv {
  const r = validateDefinition({
    name: 'unit',
    start: 'q',
    prompts: {},
    nodes: { q: { kind: 'queue', queue: 'ntax-vat', skills: { vat: 2 }, priority: 1, line: '国税', subLine: '增值税' } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const q: QueueRules = {
    queue: 'ntax-vat',
    strategy: 'longest_idle',
    preferredAgentS: 10,
    steps: [{ afterS: 0, skills: 'inherit' }],
    wrapUpS: 15,
    ringTimeoutS: 12,
    noAnswerPauseAfter: 2,
    ...queue,
  };
  return { ivr: r.def, rules: routingRules([q]), shortAbandonMs: 5000, announceEveryMs: 30_000, firstAnnounceMs: 2000 };
}

export const aCaller = {
  callId: '01a2b3c4-0000-7000-8000-000000000001',
  channelId: 'ch1',
  caller: '057185187424',
  dialed: '12366',
  lang: 'zh' as const,
  ivrVersion: 3,
};
