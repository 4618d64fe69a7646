/**
 * Routing micro-benchmark: one ACD round over a large, busy contact center.
 *   npx tsx bench/routing.bench.ts
 * 10,000 agents, 200 skills, 5,000 waiting calls, 30 queues mixing all four strategies and
 * 'inherit' / explicit / 'any' steps; waits spread over 3 minutes so every step is in use.
 * A "decision" is one call considered in a round. Seeded, so runs are comparable.
 * ROUTING_BENCH_AVAILABLE=0..1 sets the share of free agents (default 0.35).
 * Caveats, kept as a comparison: every round sees the same agents and calls (nothing becomes busy,
 * no call leaves), and with 50 rounds "p99Ms" is the nearest-rank 99th of 50, i.e. the worst round.
 * routing-decisions.bench.ts measures single decisions over a state that changes between them.
 */
import { performance } from 'node:perf_hooks';
import { assign } from '../src/core/routing/assign.js';
import { AGENTS, CALLS, SKILLS, T0, centre, rules } from './routing-data.js';

const ROUNDS = 50;
const WARMUP = 5;
const SINGLE = 2_000;
/** Share of agents free; ROUTING_BENCH_AVAILABLE=1 is the worst case (every agent offerable). */
const AVAILABLE = Number(process.env.ROUTING_BENCH_AVAILABLE ?? 0.35);

const { makeAgents, makeCall } = centre(12366);
// A busy centre: by default about a third of agents free at any moment.
const agents = makeAgents(AGENTS, AVAILABLE);
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
