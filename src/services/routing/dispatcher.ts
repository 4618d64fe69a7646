import type { Logger } from 'pino';
import type { Agent, ExpiryAction, WaitingCall } from '../../core/routing/model.js';
import { assign, expiry, expiryAction, nextExpiryAt, nextWideningAt } from '../../core/routing/assign.js';
import type { AgentLive, LiveState, WaitingDetails } from '../../adapters/redis/live-state.js';
import type { RoutingCatalog } from './catalog.js';

export interface DispatcherDeps {
  live: LiveState;
  routing: RoutingCatalog;
  /** This instance: it routes only the calls its sessions hold; agents are shared by all. */
  owner: string;
  now: () => number;
  log: Logger;
  /** Hands a reserved agent to the call; the call decides whether to ring it. */
  deliver: (callId: string, agentId: string) => void;
  /** A queue rule fired for a waiting call. */
  expire: (callId: string, action: ExpiryAction) => void;
  /** A kept place whose turn came: dial the taxpayer back. */
  callBack: (entry: WaitingDetails) => Promise<void>;
}

/**
 * Matches waiting calls with agents whenever either may have changed, and when a call's next
 * routing step or expiry is due. The decisions are the core's (core/routing/assign.ts); the
 * claim in Redis is atomic, so a pair that lost a race to another instance is simply skipped.
 */
export class Dispatcher {
  private running = false;
  private again = false;
  /** Every agent, at most ~1 s old: enough to know who is logged in and who serves what. */
  private snapshot: { at: number; agents: AgentLive[] } = { at: 0, agents: [] };
  private refreshing: Promise<void> | undefined;
  private safety: NodeJS.Timeout | undefined;
  private wake: NodeJS.Timeout | undefined;
  private stopped = false;

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

  private async round(): Promise<void> {
    const { rules } = await this.d.routing.active();
    const perQueue = await Promise.all((await this.d.live.queues()).map((q) => this.d.live.waitingDetails(q)));
    const waiting = perQueue.flat().filter((w) => w.owner === this.d.owner);
    if (!waiting.length) return;
    const now = this.d.now();
    // Only idle agents can be offered a call: they are read fresh every round; the others
    // (who is logged in, a returning caller's agent) come from a snapshot at most a second old.
    const snapshot = await this.agentSnapshot(now);
    const idle = await this.d.live.agentsById((await this.d.live.idleAgents()).map((a) => a.agentId));
    const fresh = new Map(idle.map((a) => [a.agentId, a]));
    const agents = [...idle, ...snapshot.filter((a) => !fresh.has(a.agentId))].map(toRoutingAgent);
    const loggedIn = agents.filter((a) => a.state !== 'logged_out' && a.registered);

    const routable: WaitingCall[] = [];
    const position = new Map<string, number>();
    for (const w of waiting) position.set(w.queue, (position.get(w.queue) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const w of waiting) {
      const q = rules.queues.get(w.queue);
      const at = (seen.get(w.queue) ?? 0) + 1;
      seen.set(w.queue, at);
      const call = toWaitingCall(w);
      if (w.kind === 'callback') {
        routable.push(call);
        continue;
      }
      let action = expiry(call, rules, now);
      // Queue full, or nobody who could ever take it is logged in: the queue's rule, at once.
      if (!action && q && ((q.maxQueued !== undefined && at > q.maxQueued) || !loggedIn.some((a) => a.queues.includes(w.queue)))) {
        action = q.onExpiry ? expiryAction(q.onExpiry) : { action: 'max_wait' };
      }
      if (action) {
        if (!w.expired) {
          await this.d.live.markExpired(w.callId);
          this.d.expire(w.callId, action);
        }
        continue;
      }
      routable.push(call);
    }

    const byId = new Map(waiting.map((w) => [w.callId, w]));
    // Pairs are disjoint (no agent, no call twice), so their claims can go to Redis together.
    await Promise.all(
      assign(routable, agents, rules, now).map(async (a) => {
        const w = byId.get(a.callId)!;
        if (w.kind === 'callback') {
          // An agent is free for this place: dial the taxpayer, who rejoins at this place on answer.
          if (await this.d.live.take(w.queue, w.callId)) await this.d.callBack(w);
          return;
        }
        if (await this.d.live.claim(w.queue, a.callId, a.agentId, now)) this.d.deliver(a.callId, a.agentId);
      }),
    );
    this.scheduleWake(routable, rules, now);
  }

  /**
   * Refreshed in the background once it is a second old: reading every agent is the slowest
   * part of a round, and no decision needs it newer (offers use the idle agents read fresh).
   */
  private async agentSnapshot(now: number): Promise<AgentLive[]> {
    if (now - this.snapshot.at > 1000 && !this.refreshing) {
      this.refreshing = this.d.live.agents()
        .then(
          (agents) => void (this.snapshot = { at: this.d.now(), agents }),
          (err: Error) => this.d.log.warn({ err: err.message }, 'agent snapshot not refreshed'),
        )
        .finally(() => (this.refreshing = undefined));
    }
    if (this.snapshot.at === 0) await this.refreshing;
    return this.snapshot.agents;
  }

  /** Agents logged in with a registered phone who serve the queue (for the expected wait). */
  async servingAgents(queue: string): Promise<number> {
    const agents = await this.agentSnapshot(this.d.now());
    return agents.filter((a) => a.state !== 'logged_out' && a.registered && a.profile.queues.includes(queue)).length;
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
