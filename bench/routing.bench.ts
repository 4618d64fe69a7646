/**
 * Routing micro-benchmark: one ACD round over a large, busy contact center.
 *   npx tsx bench/routing.bench.ts
 * 10,000 agents, 200 skills, 5,000 waiting calls, 30 queues mixing all four strategies and
 * 'inherit' / explicit / 'any' steps; waits spread over 3 minutes so every step is in use.
 * A "decision" is one call considered in a round. Seeded, so runs are comparable.
 * ROUTING_BENCH_AVAILABLE=0..1 sets the share of free agents (default 0.35).
 */
import { performance } from 'node:perf_hooks';
import type { AgentState } from '../src/core/agents/state.js';
import { assign } from '../src/core/routing/assign.js';
import { routingRules, type Agent, type QueueRules, type Strategy, type WaitingCall } from '../src/core/routing/model.js';
import { mulberry32 } from './prng.js';

const AGENTS = 10_000;
const SKILLS = 200;
const CALLS = 5_000;
const QUEUES = 30;
const ROUNDS = 50;
const WARMUP = 5;
const SINGLE = 2_000;
/** Share of agents free; ROUTING_BENCH_AVAILABLE=1 is the worst case (every agent offerable). */
const AVAILABLE = Number(process.env.ROUTING_BENCH_AVAILABLE ?? 0.35);

const rnd = mulberry32(12366);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
/** Skewed towards low indexes: a few skills (VAT, invoices) are asked for far more than the rest. */
const skewed = (n: number) => Math.min(n - 1, Math.floor(n * rnd() * rnd()));

const skill = (i: number) => `s${String(i).padStart(3, '0')}`;
const queueName = (i: number) => `q${String(i).padStart(2, '0')}`;
const strategies: Strategy[] = ['longest_idle', 'most_skilled', 'fewest_calls', 'round_robin'];
const T0 = 1_700_000_000_000;

// Each queue has a home skill (what its IVR branch is about).
const queues: QueueRules[] = Array.from({ length: QUEUES }, (_, i) => ({
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
const rules = routingRules(queues);

// A busy centre: by default about a third of agents free at any moment.
const busy: AgentState[] = ['on_call', 'on_call', 'on_call', 'wrap_up', 'paused', 'reserved', 'logged_out'];
const agents: Agent[] = Array.from({ length: AGENTS }, (_, i) => {
  const skills: Record<string, number> = {};
  for (let k = int(4, 12); k > 0; k--) skills[skill(skewed(SKILLS))] = int(1, 5);
  const qs = new Set<string>();
  for (let k = int(1, 3); k > 0; k--) qs.add(queueName(skewed(QUEUES)));
  const a: Agent = {
    agentId: `agent-${i}`,
    state: rnd() < AVAILABLE ? 'available' : pick(busy),
    registered: rnd() < 0.98,
    skills,
    queues: [...qs],
    idleSince: T0 - int(0, 600_000),
    callsHandled: int(0, 80),
  };
  if (rnd() < 0.9) a.lastOfferedAt = T0 - int(0, 900_000);
  return a;
});

function makeCall(i: number): WaitingCall {
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
  if (rnd() < 0.1) c.preferredAgentId = `agent-${int(0, AGENTS - 1)}`;
  if (rnd() < 0.05) c.excludedAgents = [`agent-${int(0, AGENTS - 1)}`];
  return c;
}
const calls = Array.from({ length: CALLS }, (_, i) => makeCall(i));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;

// Rounds: the clock moves on a second each round so calls cross step boundaries between rounds.
const times: number[] = [];
let assigned = 0;
for (let r = 0; r < WARMUP + ROUNDS; r++) {
  const now = T0 + r * 1000;
  const t = performance.now();
  const out = assign(calls, agents, rules, now);
  const dt = performance.now() - t;
  if (r >= WARMUP) {
    times.push(dt);
    assigned += out.length;
  }
}
const total = times.reduce((a, b) => a + b, 0);

// One new call arriving while nothing else waits: the latency a caller adds on top of the IVR.
const single: number[] = [];
for (let i = 0; i < WARMUP + SINGLE; i++) {
  const c = makeCall(CALLS + i);
  const t = performance.now();
  assign([c], agents, rules, T0);
  if (i >= WARMUP) single.push(performance.now() - t);
}

console.log(
  JSON.stringify({
    agents: AGENTS,
    skills: SKILLS,
    calls: CALLS,
    rounds: ROUNDS,
    decisionsPerSec: Math.round((CALLS * ROUNDS) / (total / 1000)),
    p50Ms: round3(percentile(times, 50)),
    p99Ms: round3(percentile(times, 99)),
    assignedPerRound: Math.round(assigned / ROUNDS),
    offerableAgents: agents.filter((a) => a.state === 'available' && a.registered).length,
    singleCallP50Ms: round3(percentile(single, 50)),
    singleCallP99Ms: round3(percentile(single, 99)),
  }),
);
