/**
 * The routing benchmarks' contact center, seeded: 30 queues mixing the four strategies with
 * 'inherit' / explicit / 'any' steps, agents with skewed skills and queues, calls mostly about their
 * queue's home skill. Shared by routing.bench.ts (rounds) and routing-decisions.bench.ts (events),
 * so both measure the same centre. Draw order is part of the seed's meaning: keep it.
 */
import type { AgentState } from '../src/core/agents/state.js';
import { routingRules, type Agent, type QueueRules, type Strategy, type WaitingCall } from '../src/core/routing/model.js';
import { mulberry32 } from './prng.js';

export const AGENTS = 10_000;
export const SKILLS = 200;
export const CALLS = 5_000;
export const QUEUES = 30;
export const T0 = 1_700_000_000_000;

const skill = (i: number) => `s${String(i).padStart(3, '0')}`;
const queueName = (i: number) => `q${String(i).padStart(2, '0')}`;
const strategies: Strategy[] = ['longest_idle', 'most_skilled', 'fewest_calls', 'round_robin'];

// Each queue has a home skill (what its IVR branch is about).
export const queues: QueueRules[] = Array.from({ length: QUEUES }, (_, i) => ({
  queue: queueName(i),
  strategy: strategies[i % strategies.length]!,
  preferredAgentS: 10,
  steps: [
    { afterS: 0, skills: 'inherit' },
    { afterS: 30, skills: { [skill(i)]: 2 } },
    { afterS: 90, skills: 'any' },
  ],
  onExpiry: { afterS: 300, action: 'callback' },
  wrapUpS: 15,
  ringTimeoutS: 20,
  noAnswerPauseAfter: 1,
}));
export const rules = routingRules(queues);

// Not offerable: a busy centre's agents on calls, wrapping up, paused, being offered, logged out.
const busy: AgentState[] = ['on_call', 'on_call', 'on_call', 'wrap_up', 'paused', 'reserved', 'logged_out'];

export function centre(seed: number) {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  /** Skewed towards low indexes: a few skills (VAT, invoices) are asked for far more than the rest. */
  const skewed = (n: number) => Math.min(n - 1, Math.floor(n * rnd() * rnd()));

  /** `available` is the share of agents free (offerable unless their phone is unregistered). */
  function makeAgents(n: number, available: number): Agent[] {
    return Array.from({ length: n }, (_, i) => {
      const skills: Record<string, number> = {};
      for (let k = int(4, 12); k > 0; k--) skills[skill(skewed(SKILLS))] = int(1, 5);
      const qs = new Set<string>();
      for (let k = int(1, 3); k > 0; k--) qs.add(queueName(skewed(QUEUES)));
      const a: Agent = {
        agentId: `agent-${i}`,
        state: rnd() < available ? 'available' : pick(busy),
        registered: rnd() < 0.98,
        skills,
        queues: [...qs],
        idleSince: T0 - int(0, 600_000),
        callsHandled: int(0, 80),
      };
      if (rnd() < 0.9) a.lastOfferedAt = T0 - int(0, 900_000);
      return a;
    });
  }

  /** A call; enqueuedAt defaults to up to 3 minutes before T0 so every step is in use. */
  function makeCall(i: number, enqueuedAt?: number): WaitingCall {
    const q = skewed(QUEUES);
    const skills: Record<string, number> = { [skill(q)]: int(1, 4) };
    for (let k = int(0, 2); k > 0; k--) skills[skill(skewed(SKILLS))] = int(1, 4);
    const c: WaitingCall = {
      callId: `call-${i}`,
      queue: queueName(q),
      skills,
      priority: rnd() < 0.1 ? 1 : 0,
      enqueuedAt: T0 - int(0, 180_000),
      caller: `1${String(3_000_000_000 + i)}`,
    };
    if (enqueuedAt !== undefined) c.enqueuedAt = enqueuedAt;
    if (rnd() < 0.1) c.preferredAgentId = `agent-${int(0, AGENTS - 1)}`;
    if (rnd() < 0.05) c.excludedAgents = [`agent-${int(0, AGENTS - 1)}`];
    return c;
  }

  return { rnd, int, pick, makeAgents, makeCall };
}

/** Nearest-rank percentile of an unsorted sample. */
export function percentile(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
