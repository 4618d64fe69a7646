/**
 * Routing decisions over a centre that changes between them: the routing index against assign().
 *   npm run bench:routing-decisions [-- --decisions 200000 --old-rounds 300 --write]
 *
 * The centre of routing-data.ts (10,000 agents, 200 skills, 30 queues), 35 % of agents free at the
 * start and 5,000 calls waiting after a first round. Then a seeded simulation, in sim time:
 *   - calls arrive (50/s; the agents handle about 26/s, so about 5,000 stay waiting; --arrivals 20
 *     gives a staffed centre with thousands of free agents and fewer calls), each asked "which
 *     agent?" as it enters; unanswered, it waits, its steps widen (30 s, 90 s; re-asked then),
 *     its caller hangs up after a random patience, and a centre over 5,000 waiting loses a
 *     random caller;
 *   - an assigned agent is busy 1-10 minutes, then free again and asked "which call?";
 *   - agents pause (1/s, back in 1-10 min) and log out (0.2/s, back in 5-30 min); a logout
 *     re-asks the calls held for that agent (preferred-agent window).
 * A decision is one such question. Each is timed alone (performance.now()); the index updates
 * that events cause (an agent's record changed, a call entering or leaving the queue) are timed
 * apart, so the throughput is given both ways. The first WARMUP decisions are not counted.
 *
 * The old path runs the same simulation with one assign() round over every waiting call and
 * every agent per decision moment (what a dispatcher without the index does), on fewer moments
 * because each costs milliseconds. Both paths make the same pairs at the same instants: the
 * script checks that over the moments the old path ran (a cross-check of the index at full size).
 * --write puts the index figures in docs/benchmarks/routing.json.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { offerable } from '../src/core/agents/state.js';
import { assign, nextWideningAt } from '../src/core/routing/assign.js';
import type { Agent, Assignment, WaitingCall } from '../src/core/routing/model.js';
import { RoutingIndex } from '../src/core/routing/routing-index.js';
import { AGENTS, CALLS, SKILLS, T0, centre, percentile, rules } from './routing-data.js';

const { values: args } = parseArgs({
  options: {
    decisions: { type: 'string', default: '200000' },
    warmup: { type: 'string', default: '20000' },
    'old-rounds': { type: 'string', default: '300' },
    arrivals: { type: 'string', default: '50' },
    write: { type: 'boolean', default: false },
  },
});
const DECISIONS = Number(args.decisions);
const WARMUP = Number(args.warmup);
const OLD_ROUNDS = Number(args['old-rounds']);
const OLD_WARMUP = 10;
/** A decision over 20 µs is asked again to see whether the cost is the question's. */
const SLOW_MS = 0.02;

const SEED = 12366;
const ARRIVALS_PER_S = Number(args.arrivals);
const PAUSES_PER_S = 1;
const LOGOUTS_PER_S = 0.2;
const PATIENCE_MEAN_S = 300;
/** Calls made at the start; after the first round about 5,000 are left, trimmed to exactly CALLS. */
const INITIAL_CALLS = 9_000;

type Take = (p: Assignment) => void;

/** What a dispatcher does at each event; the two paths implement it. */
interface Router {
  /** A full round over the starting state. */
  start(agents: readonly Agent[], calls: readonly WaitingCall[], now: number): Assignment[];
  /** The state after the first round's pairs were applied and the calls trimmed to CALLS. */
  ready(agents: Iterable<Agent>, calls: Iterable<WaitingCall>): void;
  /** A call enters; true if it was given an agent (then it never waits). */
  arrive(call: WaitingCall, now: number, take: Take): boolean;
  /** An agent's record changed; `decide` when the change can create a pair (free, back, logged out). */
  agentChanged(prev: Agent, next: Agent, now: number, decide: boolean, take: Take): void;
  /** A waiting call's next step (or the end of its preferred window) has come. */
  widen(callId: string, now: number, take: Take): void;
  /** A waiting call left (answered elsewhere, hung up). */
  callLeft(callId: string): void;
  /** Decision moments so far (the index: questions asked; the old path: rounds run). */
  readonly decisions: number;
}

let sink = 0;
function nothing(): void {
  sink++;
}

/**
 * Samples in a typed array grown by doubling: the harness's own garbage would otherwise bring on
 * collections that pause whichever decision they land in.
 */
class Timer {
  private buf = new Float64Array(1 << 16);
  private n = 0;
  total = 0;
  constructor(private readonly skip: () => boolean) {}
  add(ms: number): void {
    if (this.skip()) return;
    if (this.n === this.buf.length) {
      const b = new Float64Array(this.buf.length * 2);
      b.set(this.buf);
      this.buf = b;
    }
    this.buf[this.n++] = ms;
    this.total += ms;
  }
  get samples(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
}

class IndexRouter implements Router {
  decisions = 0;
  readonly decide = new Timer(() => this.decisions <= WARMUP);
  readonly update = new Timer(() => this.decisions <= WARMUP);
  /** The two questions apart: "which agent for this call?" and "which call for this agent?". */
  readonly agentFor = new Timer(() => this.decisions <= WARMUP);
  readonly callFor = new Timer(() => this.decisions <= WARMUP);
  readonly floor = new Timer(() => this.decisions <= WARMUP);
  slow = 0;
  slowAgain = 0;
  hits = 0;
  index = new RoutingIndex(rules);

  start(agents: readonly Agent[], calls: readonly WaitingCall[], now: number): Assignment[] {
    for (const a of agents) this.index.upsertAgent(a);
    for (const c of calls) this.index.addCall(c);
    return this.index.round(now);
  }

  ready(agents: Iterable<Agent>, calls: Iterable<WaitingCall>): void {
    this.index = new RoutingIndex(rules);
    for (const a of agents) this.index.upsertAgent(a);
    for (const c of calls) this.index.addCall(c);
  }

  arrive(call: WaitingCall, now: number, take: Take): boolean {
    const p = this.ask(this.agentFor, () => this.index.bestAgentFor(call, now));
    if (p) {
      take(p);
      return true;
    }
    this.timed(() => this.index.addCall(call));
    return false;
  }

  agentChanged(prev: Agent, next: Agent, now: number, decide: boolean, take: Take): void {
    this.timed(() => this.index.upsertAgent(next));
    if (decide && offerable(next)) {
      const p = this.ask(this.callFor, () => this.index.bestCallFor(next.agentId, now));
      if (p) take(p);
    }
    if (prev.state !== 'logged_out' && next.state === 'logged_out') {
      for (const c of this.index.callsPreferring(next.agentId)) {
        const p = this.ask(this.agentFor, () => this.index.bestAgentFor(c, now));
        if (p) take(p);
      }
    }
  }

  widen(callId: string, now: number, take: Take): void {
    const c = this.index.call(callId)!;
    const p = this.ask(this.agentFor, () => this.index.bestAgentFor(c, now));
    if (p) take(p);
  }

  callLeft(callId: string): void {
    this.timed(() => this.index.removeCall(callId));
  }

  private ask(kind: Timer, f: () => Assignment | undefined): Assignment | undefined {
    this.decisions++;
    const t = performance.now();
    const p = f();
    const dt = performance.now() - t;
    this.decide.add(dt);
    kind.add(dt);
    if (dt > SLOW_MS && this.decisions > WARMUP) {
      // Ask again at once (decisions change nothing): still slow means the question is costly,
      // fast means the first time paid for something else (GC, the CPU taken by other work, cold caches).
      this.slow++;
      const t3 = performance.now();
      f();
      if (performance.now() - t3 > SLOW_MS) this.slowAgain++;
    }
    // The floor: the same timing around nothing, at the same moments (timer cost, GC, other work on the machine).
    const t2 = performance.now();
    nothing();
    this.floor.add(performance.now() - t2);
    if (p && this.decisions > WARMUP) this.hits++;
    return p;
  }

  private timed(f: () => void): void {
    const t = performance.now();
    f();
    this.update.add(performance.now() - t);
  }
}

/** No index: every decision moment is one assign() round over everything, all its pairs applied. */
class RoundRouter implements Router {
  decisions = 0;
  readonly decide = new Timer(() => this.decisions <= OLD_WARMUP);
  constructor(
    private readonly agents: ReadonlyMap<string, Agent>,
    private readonly waiting: ReadonlyMap<string, WaitingCall>,
  ) {}

  start(agents: readonly Agent[], calls: readonly WaitingCall[], now: number): Assignment[] {
    return assign(calls, agents, rules, now);
  }

  ready(): void {}

  arrive(call: WaitingCall, now: number, take: Take): boolean {
    let got = false;
    for (const p of this.round(now, call)) {
      if (p.callId === call.callId) got = true;
      take(p);
    }
    return got;
  }

  agentChanged(prev: Agent, next: Agent, now: number, decide: boolean, take: Take): void {
    if (decide) for (const p of this.round(now)) take(p);
  }

  widen(_callId: string, now: number, take: Take): void {
    for (const p of this.round(now)) take(p);
  }

  callLeft(): void {}

  private round(now: number, extra?: WaitingCall): Assignment[] {
    // The arrays a dispatcher would hand over; building them is not timed.
    const calls = [...this.waiting.values()];
    if (extra) calls.push(extra);
    const agents = [...this.agents.values()];
    this.decisions++;
    const t = performance.now();
    const out = assign(calls, agents, rules, now);
    this.decide.add(performance.now() - t);
    return out;
  }
}

type EvBody =
  | { t: number; kind: 'arrive' | 'pause' | 'logout' }
  | { t: number; kind: 'free' | 'back'; agentId: string }
  | { t: number; kind: 'widen' | 'abandon'; callId: string };
type Ev = EvBody & { seq: number };

/** A binary min-heap of events by (time, sequence): equal times keep the order they were scheduled in. */
class Events {
  private readonly h: Ev[] = [];
  private seq = 0;
  get size(): number {
    return this.h.length;
  }
  push(e: EvBody): void {
    const h = this.h;
    h.push({ ...e, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Ev {
    const h = this.h;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const before = (a: Ev, b: Ev) => a.t < b.t || (a.t === b.t && a.seq < b.seq);

interface RunResult {
  /** Every pair made, in order, with its instant: the two paths must agree on these. */
  pairs: number[];
  waitingSamples: number[];
  offerableSamples: number[];
  simSeconds: number;
}

/** Runs the simulation until the router has made `decisions` decisions. */
function simulate(makeRouter: (agents: Map<string, Agent>, waiting: Map<string, WaitingCall>) => Router, decisions: number): RunResult {
  const { rnd, int, makeAgents, makeCall } = centre(SEED);
  const exp = (meanMs: number) => Math.max(1, Math.round(-Math.log(1 - rnd()) * meanMs));
  const agents = new Map<string, Agent>();
  const waiting = new Map<string, WaitingCall>();
  // Waiting call ids in an array too, so a random caller can hang up in O(1).
  const ids: string[] = [];
  const pos = new Map<string, number>();
  const router = makeRouter(agents, waiting);
  const events = new Events();
  // Each pair as a 32-bit hash of "callId>agentId@instant" (small integers, no strings kept).
  const pairs: number[] = [];
  const result: RunResult = { pairs, waitingSamples: [], offerableSamples: [], simSeconds: 0 };
  let now = T0;
  let offerableCount = 0;

  const setAgent = (a: Agent) => {
    const prev = agents.get(a.agentId);
    if (prev && offerable(prev)) offerableCount--;
    if (offerable(a)) offerableCount++;
    agents.set(a.agentId, a);
  };
  const enqueue = (c: WaitingCall) => {
    waiting.set(c.callId, c);
    pos.set(c.callId, ids.length);
    ids.push(c.callId);
    const w = nextWideningAt(c, rules, now);
    if (w !== undefined) events.push({ t: w, kind: 'widen', callId: c.callId });
  };
  const dequeue = (callId: string) => {
    waiting.delete(callId);
    const i = pos.get(callId)!;
    const last = ids.pop()!;
    if (last !== callId) {
      ids[i] = last;
      pos.set(last, i);
    }
    pos.delete(callId);
  };
  const take: Take = (p) => {
    pairs.push(pairHash(p, now - T0));
    const prev = agents.get(p.agentId)!;
    const next: Agent = { ...prev, state: 'on_call', lastOfferedAt: now };
    setAgent(next);
    router.agentChanged(prev, next, now, false, take);
    if (waiting.has(p.callId)) {
      dequeue(p.callId);
      router.callLeft(p.callId);
    }
    events.push({ t: now + int(60_000, 600_000), kind: 'free', agentId: p.agentId });
  };

  // The starting state: agents who are not free come back at random times in the next minutes.
  const startAgents = makeAgents(AGENTS, 0.35);
  for (const a of startAgents) {
    setAgent(a);
    if (a.state === 'paused') events.push({ t: T0 + int(0, 600_000), kind: 'back', agentId: a.agentId });
    else if (a.state === 'logged_out') events.push({ t: T0 + int(0, 1_800_000), kind: 'back', agentId: a.agentId });
    else if (a.state !== 'available') events.push({ t: T0 + int(0, 300_000), kind: 'free', agentId: a.agentId });
  }
  const startCalls = Array.from({ length: INITIAL_CALLS }, (_, i) => makeCall(i));
  let nextCall = INITIAL_CALLS;
  const first = router.start(startAgents, startCalls, now);
  const firstTaken = new Set(first.map((p) => p.callId));
  for (const p of first) {
    pairs.push(pairHash(p, 0));
    const next: Agent = { ...agents.get(p.agentId)!, state: 'on_call', lastOfferedAt: now };
    setAgent(next);
    events.push({ t: now + int(60_000, 600_000), kind: 'free', agentId: p.agentId });
  }
  let kept = 0;
  for (const c of startCalls) {
    if (firstTaken.has(c.callId)) continue;
    if (kept++ < CALLS) {
      enqueue(c);
      events.push({ t: now + exp(PATIENCE_MEAN_S * 1000), kind: 'abandon', callId: c.callId });
    }
  }
  router.ready(agents.values(), waiting.values());

  events.push({ t: now + exp(1000 / ARRIVALS_PER_S), kind: 'arrive' });
  events.push({ t: now + exp(1000 / PAUSES_PER_S), kind: 'pause' });
  events.push({ t: now + exp(1000 / LOGOUTS_PER_S), kind: 'logout' });

  let sampled = 0;
  while (router.decisions < decisions) {
    const e = events.pop();
    now = e.t;
    switch (e.kind) {
      case 'arrive': {
        events.push({ t: now + exp(1000 / ARRIVALS_PER_S), kind: 'arrive' });
        const c = makeCall(nextCall++, now);
        if (!router.arrive(c, now, take)) {
          enqueue(c);
          events.push({ t: now + exp(PATIENCE_MEAN_S * 1000), kind: 'abandon', callId: c.callId });
          if (waiting.size > CALLS) {
            const gone = ids[Math.floor(rnd() * ids.length)]!;
            dequeue(gone);
            router.callLeft(gone);
          }
        }
        break;
      }
      case 'free':
      case 'back': {
        const prev = agents.get(e.agentId)!;
        if (prev.state === 'available') break;
        const next: Agent = {
          ...prev,
          state: 'available',
          idleSince: now,
          callsHandled: prev.callsHandled + (prev.state === 'on_call' ? 1 : 0),
        };
        setAgent(next);
        router.agentChanged(prev, next, now, true, take);
        break;
      }
      case 'pause':
      case 'logout': {
        const perS = e.kind === 'pause' ? PAUSES_PER_S : LOGOUTS_PER_S;
        events.push({ t: now + exp(1000 / perS), kind: e.kind });
        const prev = agents.get(`agent-${int(0, AGENTS - 1)}`)!;
        if (prev.state !== 'available' && !(e.kind === 'logout' && prev.state === 'paused')) break;
        const next: Agent = { ...prev, state: e.kind === 'pause' ? 'paused' : 'logged_out' };
        setAgent(next);
        const away = e.kind === 'pause' ? int(60_000, 600_000) : int(300_000, 1_800_000);
        events.push({ t: now + away, kind: 'back', agentId: prev.agentId });
        router.agentChanged(prev, next, now, e.kind === 'logout', take);
        break;
      }
      case 'widen': {
        const c = waiting.get(e.callId);
        if (!c) break;
        router.widen(e.callId, now, take);
        if (waiting.has(e.callId)) {
          const w = nextWideningAt(c, rules, now);
          if (w !== undefined) events.push({ t: w, kind: 'widen', callId: e.callId });
        }
        break;
      }
      case 'abandon':
        if (waiting.has(e.callId)) {
          dequeue(e.callId);
          router.callLeft(e.callId);
        }
        break;
    }
    if (router.decisions >= sampled + 1000) {
      sampled = router.decisions;
      result.waitingSamples.push(waiting.size);
      result.offerableSamples.push(offerableCount);
    }
  }
  result.simSeconds = Math.round((now - T0) / 1000);
  return result;
}

function pairHash(p: Assignment, at: number): number {
  let h = 0x811c9dc5;
  const mix = (x: string) => {
    for (let i = 0; i < x.length; i++) h = Math.imul(h ^ x.charCodeAt(i), 0x01000193);
  };
  mix(p.callId);
  mix('>');
  mix(p.agentId);
  mix(`@${at}`);
  return h >>> 0;
}

const us = (ms: number) => Math.round(ms * 1000 * 100) / 100;
const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
const span = (xs: number[]) => `${Math.min(...xs)}..${Math.max(...xs)}`;
const max = (xs: Float64Array) => xs.reduce((a, b) => Math.max(a, b), 0);

let indexRouter!: IndexRouter;
const fresh = simulate((_a, _w) => (indexRouter = new IndexRouter()), WARMUP + DECISIONS);
const d = indexRouter.decide;
const u = indexRouter.update;
const decisionsPerSecond = Math.round(d.samples.length / (d.total / 1000));
const index = {
  decisions: d.samples.length,
  answered: indexRouter.hits,
  decisionsPerSecond,
  decisionsPerSecondWithUpdates: Math.round(d.samples.length / ((d.total + u.total) / 1000)),
  decisionP50Us: us(percentile(d.samples, 50)),
  decisionP99Us: us(percentile(d.samples, 99)),
  decisionP999Us: us(percentile(d.samples, 99.9)),
  decisionMaxUs: us(max(d.samples)),
  agentForDecisions: indexRouter.agentFor.samples.length,
  agentForP50Us: us(percentile(indexRouter.agentFor.samples, 50)),
  agentForP99Us: us(percentile(indexRouter.agentFor.samples, 99)),
  callForDecisions: indexRouter.callFor.samples.length,
  callForP50Us: us(percentile(indexRouter.callFor.samples, 50)),
  callForP99Us: us(percentile(indexRouter.callFor.samples, 99)),
  over20Us: indexRouter.slow,
  over20UsWhenAskedAgain: indexRouter.slowAgain,
  floorPerSecond: Math.round(indexRouter.floor.samples.length / (indexRouter.floor.total / 1000)),
  floorP50Us: us(percentile(indexRouter.floor.samples, 50)),
  floorP99Us: us(percentile(indexRouter.floor.samples, 99)),
  floorMaxUs: us(max(indexRouter.floor.samples)),
  updates: u.samples.length,
  updateP50Us: us(percentile(u.samples, 50)),
  updateP99Us: us(percentile(u.samples, 99)),
  updateMaxUs: us(max(u.samples)),
  waiting: mean(fresh.waitingSamples),
  waitingRange: span(fresh.waitingSamples),
  offerableAgents: mean(fresh.offerableSamples),
  offerableRange: span(fresh.offerableSamples),
  simSeconds: fresh.simSeconds,
};

let roundRouter!: RoundRouter;
const old = simulate((a, w) => (roundRouter = new RoundRouter(a, w)), OLD_WARMUP + OLD_ROUNDS);
const o = roundRouter.decide;
const oldPath = {
  rounds: o.samples.length,
  decisionsPerSecond: Math.round(o.samples.length / (o.total / 1000)),
  decisionP50Us: us(percentile(o.samples, 50)),
  decisionP99Us: us(percentile(o.samples, 99)),
  decisionMaxUs: us(max(o.samples)),
  waiting: mean(old.waitingSamples.length ? old.waitingSamples : [CALLS]),
  simSeconds: old.simSeconds,
};
// The paths must make the same pairs at the same instants for as long as the old one ran.
const common = Math.min(old.pairs.length, fresh.pairs.length);
let agree = 0;
while (agree < common && old.pairs[agree] === fresh.pairs[agree]) agree++;

const command = `npm run bench:routing-decisions -- ${process.argv.slice(2).join(' ')}`.trim();
console.log(
  JSON.stringify(
    {
      agents: AGENTS,
      skills: SKILLS,
      index,
      oldPath,
      ratioDecisionsPerSecond: Math.round(index.decisionsPerSecond / oldPath.decisionsPerSecond),
      samePairs: `${agree} of ${common} pairs identical between the paths (old path's ${old.pairs.length} pairs)`,
    },
    null,
    2,
  ),
);
if (agree !== common || sink === 0) process.exitCode = 1;

if (args.write) {
  const cpus = os.cpus();
  const out = {
    machine: `${cpus[0]?.model.trim() ?? 'unknown'} (${cpus.length} cores)`,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    command,
    date: new Date().toISOString(),
    agents: AGENTS,
    skills: SKILLS,
    waiting: index.waiting,
    decisionsPerSecond: index.decisionsPerSecond,
    decisionP99Us: index.decisionP99Us,
  };
  writeFileSync(new URL('../docs/benchmarks/routing.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
}
