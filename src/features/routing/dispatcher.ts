import type { Logger } from 'pino';
import type { Agent, ExpiryAction, WaitingCall } from '../../core/routing/model.js';
import { assign, nextWideningAt } from '../../core/routing/assign.js';
import { nextExpiryAt, waitingVerdict } from '../../core/routing/expiry.js';
import type { AgentLive, AgentLiveStore, IdleAgent } from '../agents/agent-live-store.js';
import type { QueueStore, WaitingDetails } from './queue-store.js';
import type { RoutingCatalog } from './catalog.js';
import { serves, type AgentMirror } from '../agents/agent-mirror.js';
import { EntryIndex } from './entry-index.js';

export interface DispatcherDeps {
  queues: QueueStore;
  /** Where an idle agent the agents' copy does not hold yet is read. */
  liveAgents: Pick<AgentLiveStore, 'agentsById'>;
  /** Every agent, at most about a second old: what they can do and how many calls they took. */
  agents: AgentMirror;
  routing: RoutingCatalog;
  /** This instance: it claims agents only for the calls its sessions hold (in every instance's order); agents are shared by all. */
  owner: string;
  now: () => number;
  log: Logger;
  /**
   * The instances registered in the cluster (features/cluster): another instance's waiting call keeps
   * its place here only when its owner is one of them, dead ones included until taken over; an
   * entry whose owner is gone for good must not hold agents back. Unset: every owner counts.
   */
  owners?: () => Promise<ReadonlySet<string>>;
  /** Hands a reserved agent to the call; the call decides whether to ring it. */
  deliver: (callId: string, agentId: string) => void;
  /** A queue rule fired for a waiting call. */
  expire: (callId: string, action: ExpiryAction) => void;
  /** A kept place whose turn came: dial the taxpayer back. */
  callBack: (entry: WaitingDetails) => Promise<void>;
  /**
   * Whether this instance's Asterisk is there (its ARI event stream connected). While it is not,
   * this instance's waiting calls are neither offered agents (the ring could not be placed, and
   * the agent would be charged a missed call) nor turned away (their node's agents just became
   * unreachable, so their queue looks unstaffed): the reconnection picks them up again, or they
   * are recorded as lost with their Asterisk (features/agents/asterisk-sync.ts). Unset: always.
   */
  mediaUp?: () => boolean;
}

/**
 * Matches waiting calls with agents whenever either may have changed, and when a call's next
 * routing step or expiry is due. The decisions are the core's (core/routing/assign.ts, expiry.ts); the
 * claim in Redis is atomic, so a pair that lost a race to another instance is simply skipped,
 * and the round is run again at once from what Redis then holds.
 *
 * A round costs two round trips: one read of every waiting call and the idle agents, one batch of
 * claims. Who is idle comes from Redis every round; what an agent can do (skills, queues) and how
 * many calls it took come from this instance's copy of every agent (AgentMirror), at most a
 * second old and brought up to date first when this instance changed an agent's profile.
 */
export class Dispatcher {
  private running = false;
  private again = false;
  private safety: NodeJS.Timeout | undefined;
  private wake: NodeJS.Timeout | undefined;
  private stopped = false;
  /**
   * Offers this instance made, by agent; those since the agents' copy was read, which it does not
   * show yet, count as calls taken (fewest-calls) and as the last offer (round robin) so a fresh
   * offer is not repeated.
   */
  private offers = new Map<string, number[]>();
  /** Rounds run again at once because a claim was lost; bounded, then the safety net takes over. */
  private retries = 0;
  /** Who was idle at the last round's read: where a call entering an empty queue looks first. */
  private lastIdle: IdleAgent[] = [];
  /** The same agents as a round's, indexed: what a call entering the queue is matched against. */
  private readonly entry = new EntryIndex(
    (record, idleSince) => this.view(record, idleSince),
    () => this.offers.keys(),
  );

  constructor(private readonly d: DispatcherDeps) {}

  /** A slow safety net for missed kicks (e.g. an agent freed by another instance). */
  start(intervalMs = 1000): void {
    this.safety = setInterval(() => this.kick(), intervalMs);
  }
  stop(): void {
    this.stopped = true;
    clearInterval(this.safety);
    clearTimeout(this.wake);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.round()
      .catch((err) => this.d.log.error({ err }, 'dispatch round failed'))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * A call enters its queue. When the agents are known (the last round's idle agents and the
   * snapshot) and one of them is the agent a round would give this call were it the only one
   * waiting, the enqueue claims that agent in the same Redis step, which refuses unless nobody
   * else is waiting and the agent is still free; otherwise the call waits for the round kicked
   * here, as every call did before. Returns the call's 1-based position at entry.
   */
  async enqueue(details: Omit<WaitingDetails, 'positionAtEntry'>, score: number): Promise<number> {
    const now = this.d.now();
    const agentId = this.candidateOnEntry(details, now);
    if (!agentId) {
      const queued = this.d.queues.enqueue(details, score);
      // A round started now reads Redis right behind the enqueue on the same connection, so it
      // already sees this call (one round trip saved); a round already running runs again after.
      this.kick();
      return queued;
    }
    const r = await this.d.queues.enqueueAndClaim(details, score, agentId, now);
    this.lastIdle = this.lastIdle.filter((a) => a.agentId !== agentId);
    if (r.claimed) {
      this.noteOffer(agentId);
      this.d.deliver(details.callId, agentId);
    } else {
      this.kick();
    }
    return r.position;
  }

  private candidateOnEntry(details: Omit<WaitingDetails, 'positionAtEntry'>, now: number): string | undefined {
    const rules = this.d.routing.cached?.rules;
    // Only with what a round would use: a snapshot of the agents at most two seconds old (every
    // round, the once-a-second one too, refreshes it once it is a second old) and idle agents.
    if (!rules || !this.d.agents.freshWithin(2000, now) || !this.lastIdle.length || details.kind === 'callback') return undefined;
    // Every agent, not only the idle ones: what the others can do decides too (who is logged in
    // with the skills a step asks for). The same answer as assign([call], merge(...)) (EntryIndex).
    return this.entry.bestAgentFor(toWaitingCall({ ...details, positionAtEntry: 0 }), now, {
      rules,
      records: this.d.agents.current,
      idle: this.lastIdle,
      asOf: this.d.agents.asOf,
    });
  }

  /** This instance changed an agent's skills or queues: the next round brings the snapshot up to date first. */
  invalidateAgents(): void {
    this.d.agents.invalidate();
  }

  private async round(): Promise<void> {
    const [{ rules }, view] = await Promise.all([this.d.routing.active(), this.d.queues.routingView()]);
    this.lastIdle = view.idle;
    const now = this.d.now();
    // Every instance's waiting calls, in one order: each instance computes the same pairs and claims
    // only its own calls' (another's call that came first keeps its agent for its owner to claim).
    const mine = (w: (typeof view.waiting)[number]) => w.owner === this.d.owner;
    const owners = view.waiting.some((w) => !mine(w)) ? await this.d.owners?.() : undefined;
    const waiting = owners ? view.waiting.filter((w) => mine(w) || owners.has(w.owner)) : view.waiting;
    if (!waiting.some(mine)) {
      // Kept fresh for the calls that will enter an empty queue (enqueue()).
      void this.d.agents.agents();
      return;
    }
    const agents = await this.routingAgents(view.idle);
    const loggedIn = agents.filter((a) => a.state !== 'logged_out' && a.registered);
    let fresh: Promise<AgentLive[] | undefined> | undefined;
    const unstaffed = async (queue: string) => {
      if (loggedIn.some((a) => a.queues.includes(queue))) return false;
      // Turning callers away cannot be taken back: only on agents read since this round began, not
      // on a copy from before an agent's login a moment ago. A failed read turns nobody away now.
      const read = await (fresh ??= this.d.agents.readSince(now));
      return read !== undefined && !read.some((a) => serves(a, queue));
    };

    const routable: WaitingCall[] = [];
    const seen = new Map<string, number>();
    for (const w of waiting) {
      const position = (seen.get(w.queue) ?? 0) + 1;
      seen.set(w.queue, position);
      const call = toWaitingCall(w);
      if (mine(w) && this.d.mediaUp && !this.d.mediaUp()) continue;
      if (!mine(w)) {
        // Its owner judges its expiry; here it only keeps its place ahead of later calls.
        routable.push(call);
        continue;
      }
      const facts = { call, keptPlace: w.kind === 'callback', position };
      let verdict = waitingVerdict(facts, rules, now);
      if (verdict.kind === 'need_staffing') verdict = waitingVerdict({ ...facts, unstaffed: await unstaffed(w.queue) }, rules, now);
      if (verdict.kind === 'expire') {
        // Acted on once: the entry stays marked until the call leaves the queue.
        if (!w.expired) {
          await this.d.queues.markExpired(w.callId);
          this.d.expire(w.callId, verdict.action);
        }
        continue;
      }
      routable.push(call);
    }

    const byId = new Map(waiting.map((w) => [w.callId, w]));
    // Pairs are disjoint (no agent, no call twice), so their claims can go to Redis together.
    const won = await Promise.all(
      assign(routable, agents, rules, now).map(async (a) => {
        const w = byId.get(a.callId)!;
        if (!mine(w)) return true;
        if (w.kind === 'callback') {
          // An agent is free for this place: dial the taxpayer, who rejoins at this place on answer.
          if (await this.d.queues.take(w.queue, w.callId)) await this.d.callBack(w);
          return true;
        }
        if (!(await this.d.queues.claim(w.queue, a.callId, a.agentId, now))) return false;
        this.noteOffer(a.agentId);
        this.d.deliver(a.callId, a.agentId);
        return true;
      }),
    );
    // A lost claim means Redis changed since the read (another instance, an agent leaving): the
    // call must not wait for the safety net, so look again now.
    if (won.includes(false) && this.retries < 3) {
      this.retries++;
      this.again = true;
    } else {
      this.retries = 0;
    }
    this.scheduleWake(routable, rules, now);
  }

  /** Every known agent as routing sees it: idle exactly as Redis says now, the rest from the snapshot. */
  private async routingAgents(idle: IdleAgent[]): Promise<Agent[]> {
    const snapshot = await this.d.agents.agents();
    const known = new Set(snapshot.map((a) => a.agentId));
    const newcomers = await this.d.liveAgents.agentsById(idle.map((i) => i.agentId).filter((id) => !known.has(id)));
    return this.merge([...snapshot, ...newcomers], idle);
  }

  private merge(records: AgentLive[], idle: IdleAgent[]): Agent[] {
    const idleSince = new Map(idle.map((i) => [i.agentId, i.idleSince]));
    return records.map((a) => this.view(a, idleSince.get(a.agentId)));
  }

  /** One agent as routing sees it: the copy's record, corrected by the last idle read and this instance's offers since. */
  private view(a: AgentLive, since: number | undefined): Agent {
    let r = toRoutingAgent(a);
    // In the idle set now: available with a registered phone since then. Not in it although the
    // older record says available: claimed or phone lost since, so not offerable.
    if (since !== undefined) r = { ...r, state: 'available', registered: true, idleSince: since };
    else if (r.state === 'available') r = { ...r, state: 'reserved' };
    // Offers made while the copy was read may be counted twice; fewest-calls can live with that.
    const asOf = this.d.agents.asOf;
    const mine = this.offers.get(a.agentId)?.filter((t) => t >= asOf);
    if (!mine?.length) return r;
    return { ...r, callsHandled: r.callsHandled + mine.length, lastOfferedAt: Math.max(r.lastOfferedAt ?? 0, mine[mine.length - 1]!) };
  }

  /**
   * Stamped when the claim is done, not with the round's start: the copy of the agents may have
   * been read after that start, and an offer older than the copy would be taken as already in it.
   */
  private noteOffer(agentId: string): void {
    const asOf = this.d.agents.asOf;
    this.offers.set(agentId, [...(this.offers.get(agentId) ?? []).filter((t) => t >= asOf), this.d.now()]);
    this.entry.touch(agentId);
  }

  /** Steps widen and rules expire at known times: wake then instead of polling. */
  private scheduleWake(calls: WaitingCall[], rules: Parameters<typeof nextWideningAt>[1], now: number): void {
    let next = Infinity;
    for (const c of calls) {
      next = Math.min(next, nextWideningAt(c, rules, now) ?? Infinity, nextExpiryAt(c, rules, now) ?? Infinity);
    }
    clearTimeout(this.wake);
    if (Number.isFinite(next)) this.wake = setTimeout(() => this.kick(), Math.max(0, next - this.d.now()) + 5);
  }
}

export function toRoutingAgent(a: AgentLive): Agent {
  return {
    agentId: a.agentId,
    state: a.state,
    registered: a.registered,
    skills: a.profile.skills,
    queues: a.profile.queues,
    idleSince: a.since,
    callsHandled: a.callsHandled,
    lastOfferedAt: a.lastOfferedAt,
  };
}

function toWaitingCall(w: WaitingDetails): WaitingCall {
  return {
    callId: w.callId,
    queue: w.queue,
    skills: w.skills,
    priority: w.priority,
    enqueuedAt: w.enqueuedAt,
    caller: w.caller,
    preferredAgentId: w.preferredAgentId,
    excludedAgents: w.excludedAgents,
  };
}
