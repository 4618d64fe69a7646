import type { Redis } from 'ioredis';
import { moves, type AgentState, type MoveName } from '../../core/agents/state.js';
import type { RedisKeys } from './keys.js';
import { AGENT_MOVE, AGENT_PROFILE, AGENT_REGISTERED, AGENT_RESTORE, CLAIM, ENQUEUE, ENQUEUE_CLAIM, runScript } from './scripts.js';

/** Longer than any call: a snapshot nobody dropped (a crash) goes by itself. */
const SESSION_TTL_S = 12 * 3600;

/** What routing needs to know about an agent besides its state; kept with the state so every instance sees it. */
export interface AgentProfile {
  name: string;
  /** Skill -> proficiency 1..5. */
  skills: Record<string, number>;
  /** Queues this agent serves. */
  queues: string[];
}

export interface AgentLive {
  agentId: string;
  state: AgentState;
  registered: boolean;
  callId?: string;
  since: number;
  profile: AgentProfile;
  pauseReason?: string;
  /** When wrap-up ends by itself (ms). */
  wrapUntil?: number;
  callsHandled: number;
  lastOfferedAt?: number;
  /** Offers missed in a row; reset when the agent answers. */
  misses: number;
}

/** A waiting call's routing facts, shared so any instance can route and a restarted one can resume. */
export interface WaitingDetails {
  callId: string;
  queue: string;
  skills: Record<string, number>;
  priority: number;
  enqueuedAt: number;
  caller: string;
  preferredAgentId?: string;
  excludedAgents: string[];
  /** The service instance whose session holds this call. */
  owner: string;
  positionAtEntry: number;
  /** Set once a queue rule fired, so it fires once. */
  expired?: boolean;
  /** A callback keeps the caller's place: when its turn comes it is dialled, not rung to an agent. */
  kind?: 'call' | 'callback';
  /** For a callback: what the taxpayer chose in the IVR, to route the call back the same way. */
  route?: { line: string; subLine?: string };
}

export interface MoveExtra {
  pauseReason?: string;
  wrapUntil?: number;
}

export interface IdleAgent {
  agentId: string;
  /** When the agent became available (ms). */
  idleSince: number;
}

export interface RoutingView {
  /** Queue by queue (sorted by name), each in its own order. */
  waiting: WaitingDetails[];
  /** Longest idle first. */
  idle: IdleAgent[];
}

/** Shared live state (agents, waiting calls) in Redis. Decisions are the core's; this only stores them atomically. */
export class LiveState {
  private knownQueues: string[] = [];

  /** `bulk`: the connection for reading every agent, so that read never delays a claim. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly bulk: Redis = redis,
  ) {}

  /** Applies a named move if the agent is in an allowed state. Returns the state it was in. */
  async moveAgent(agentId: string, move: MoveName, now: number, callId = '', extra: MoveExtra = {}): Promise<{ ok: boolean; from: AgentState }> {
    const m = moves[move];
    const [ok, from] = (await runScript(this.redis, AGENT_MOVE,
      [this.keys.agent(agentId), this.keys.idle, this.keys.wrapUps, ...this.changeKeys()],
      [agentId, m.from.join(','), m.to, callId, String(now), extra.pauseReason ?? '', extra.wrapUntil === undefined ? '' : String(extra.wrapUntil)],
    )) as [number, AgentState];
    return { ok: ok === 1, from };
  }

  async setProfile(agentId: string, profile: AgentProfile): Promise<void> {
    await runScript(this.redis, AGENT_PROFILE, [this.keys.agent(agentId), this.keys.agentIds, ...this.changeKeys()], [agentId, JSON.stringify(profile)]);
  }

  /** After Redis lost the live state: the agent's state as it was, unless it has one again. */
  async restoreAgent(agentId: string, s: { state: AgentState; since: number; callId?: string; pauseReason?: string; wrapUntil?: number }): Promise<boolean> {
    const restored = await runScript(this.redis, AGENT_RESTORE,
      [this.keys.agent(agentId), this.keys.idle, this.keys.wrapUps, this.keys.agentIds, ...this.changeKeys()],
      [agentId, s.state, String(s.since), s.callId ?? '', s.pauseReason ?? '', s.wrapUntil === undefined ? '' : String(s.wrapUntil)],
    );
    return restored === 1;
  }

  /** Counts a missed offer; returns the number missed in a row. */
  async countMiss(agentId: string): Promise<number> {
    return this.redis.hincrby(this.keys.agent(agentId), 'misses', 1);
  }

  /** Whether the agent's phone is reachable; true if that changed what live state held. */
  async setRegistered(agentId: string, registered: boolean, now: number): Promise<boolean> {
    const changed = await runScript(this.redis, AGENT_REGISTERED,
      [this.keys.agent(agentId), this.keys.idle, this.keys.agentIds, ...this.changeKeys()], [agentId, registered ? '1' : '0', String(now)],
    );
    return changed === 1;
  }

  /** Agents whose wrap-up should have ended by `now`. */
  async dueWrapUps(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.wrapUps, '-inf', now);
  }
  /** For an agent no longer in wrap-up by a path that did not clear it (e.g. its record was removed). */
  async forgetWrapUp(agentId: string): Promise<void> {
    await this.redis.zrem(this.keys.wrapUps, agentId);
  }

  async agent(agentId: string): Promise<AgentLive | undefined> {
    return toAgentLive(agentId, await this.redis.hgetall(this.keys.agent(agentId)));
  }

  async agents(): Promise<AgentLive[]> {
    return this.agentsById((await this.bulk.smembers(this.keys.agentIds)).sort(), this.bulk);
  }

  /**
   * The agents changed after change number `since` (every agent when `since` is undefined), and
   * the change number they are current to. The number is read first, so a change made during the
   * read is read again next time rather than missed. `gone`: changed agents with no record left.
   * What is counted as a change: state, phone, profile, offers (not missed offers, which routing
   * does not read).
   */
  async agentsChangedSince(since: number | undefined): Promise<{ seq: number; agents: AgentLive[]; gone: string[] }> {
    const p = this.bulk.pipeline().get(this.keys.agentChangeSeq);
    if (since === undefined) p.smembers(this.keys.agentIds);
    else p.zrangebyscore(this.keys.agentChanges, `(${since}`, '+inf');
    const [seq, ids] = results(await p.exec()) as [string | null, string[]];
    const agents = await this.agentsById(ids.sort(), this.bulk);
    const found = new Set(agents.map((a) => a.agentId));
    return { seq: Number(seq ?? 0), agents, gone: ids.filter((id) => !found.has(id)) };
  }

  /** Several agents in one round trip. */
  async agentsById(ids: string[], redis = this.redis): Promise<AgentLive[]> {
    if (!ids.length) return [];
    const p = redis.pipeline();
    for (const id of ids) p.hgetall(this.keys.agent(id));
    const res = (await p.exec()) ?? [];
    return ids.map((id, i) => toAgentLive(id, (res[i]?.[1] ?? {}) as Record<string, string>)).filter((a): a is AgentLive => !!a);
  }

  async idleAgents(limit = 1000): Promise<IdleAgent[]> {
    const flat = await this.redis.zrange(this.keys.idle, 0, limit - 1, 'WITHSCORES');
    const out: IdleAgent[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ agentId: flat[i]!, idleSince: Number(flat[i + 1]) });
    return out;
  }

  /** Adds the call to its queue (keeping its place if already there); returns its 1-based position. */
  async enqueue(details: Omit<WaitingDetails, 'positionAtEntry'>, score: number): Promise<number> {
    const { queue, callId } = details;
    return Number(await runScript(this.redis, ENQUEUE,
      [this.keys.queues, this.keys.queue(queue), this.keys.waiting], [queue, callId, String(score), JSON.stringify(details)],
    ));
  }

  /**
   * Adds the call to its queue and, if no other call waits and `agentId` is still available with
   * a registered phone, reserves that agent for it in the same step (the call then leaves the queue).
   */
  async enqueueAndClaim(details: Omit<WaitingDetails, 'positionAtEntry'>, score: number, agentId: string, now: number): Promise<{ position: number; claimed: boolean }> {
    const { queue, callId } = details;
    const [position, claimed] = (await runScript(this.redis, ENQUEUE_CLAIM,
      [this.keys.queues, this.keys.queue(queue), this.keys.waiting, this.keys.agent(agentId), this.keys.idle, ...this.changeKeys()],
      [queue, callId, String(score), JSON.stringify(details), agentId, String(now)],
    )) as [number, number];
    return { position, claimed: claimed === 1 };
  }

  /**
   * What a dispatch round decides from, in one round trip: every waiting call (each queue in its
   * order) and the idle agents (available with a registered phone) with the time they became so.
   * Queue names are remembered from the last call; a queue new since then costs one more trip.
   */
  async routingView(): Promise<RoutingView> {
    const known = this.knownQueues;
    const p = this.redis.pipeline().smembers(this.keys.queues).hgetall(this.keys.waiting).zrange(this.keys.idle, 0, -1, 'WITHSCORES');
    for (const q of known) p.zrange(this.keys.queue(q), 0, -1);
    const res = results(await p.exec());
    const queues = (res[0] as string[]).sort();
    const details = res[1] as Record<string, string>;
    const members = new Map<string, string[]>(known.map((q, i) => [q, res[3 + i] as string[]]));
    const unseen = queues.filter((q) => !members.has(q));
    if (unseen.length) {
      const more = this.redis.pipeline();
      for (const q of unseen) more.zrange(this.keys.queue(q), 0, -1);
      results(await more.exec()).forEach((ids, i) => members.set(unseen[i]!, ids as string[]));
    }
    this.knownQueues = queues;
    const waiting: WaitingDetails[] = [];
    for (const q of queues) {
      for (const id of members.get(q) ?? []) {
        const raw = details[id];
        if (raw) waiting.push(JSON.parse(raw) as WaitingDetails);
      }
    }
    const flat = res[2] as string[];
    const idle: IdleAgent[] = [];
    for (let i = 0; i < flat.length; i += 2) idle.push({ agentId: flat[i]!, idleSince: Number(flat[i + 1]) });
    return { waiting, idle };
  }

  async waitingDetails(queue: string): Promise<WaitingDetails[]> {
    const ids = await this.redis.zrange(this.keys.queue(queue), 0, -1);
    if (!ids.length) return [];
    const raw = await this.redis.hmget(this.keys.waiting, ...ids);
    return raw.filter((x): x is string => !!x).map((x) => JSON.parse(x) as WaitingDetails);
  }

  async waitingOne(callId: string): Promise<WaitingDetails | undefined> {
    const raw = await this.redis.hget(this.keys.waiting, callId);
    return raw ? (JSON.parse(raw) as WaitingDetails) : undefined;
  }

  /**
   * The live state's identity: `candidate` if it had none (a first start, or Redis lost its data),
   * else the one it has. An instance that sees it change knows the state it wrote is gone.
   */
  async epoch(candidate: string): Promise<string> {
    const had = (await this.redis.call('SET', this.keys.liveEpoch, candidate, 'NX', 'GET')) as string | null;
    return had ?? candidate;
  }

  /** What was last pushed into Asterisk for each agent's phone (fingerprints; pjsip-push.ts). */
  async pushedPhones(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.bulk.hgetall(this.keys.phonesPushed)));
  }
  async notePhonePushed(agentId: string, fingerprint: string | undefined): Promise<void> {
    if (fingerprint === undefined) await this.redis.hdel(this.keys.phonesPushed, agentId);
    else await this.redis.hset(this.keys.phonesPushed, agentId, fingerprint);
  }

  /** The agent who last took a call from `caller`, if within the window it was remembered for. */
  async lastAgent(caller: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.lastAgent(caller))) ?? undefined;
  }
  async rememberLastAgent(caller: string, agentId: string, forMs: number): Promise<void> {
    await this.redis.set(this.keys.lastAgent(caller), agentId, 'PX', forMs);
  }
  /** Fills in what Redis lacks (a first start, a flushed Redis) from history, never overwriting. */
  async seedLastAgents(rows: Array<{ caller: string; agentId: string; untilMs: number }>, now: number): Promise<void> {
    const p = this.bulk.pipeline();
    for (const r of rows) if (r.untilMs > now) p.set(this.keys.lastAgent(r.caller), r.agentId, 'PX', Math.ceil(r.untilMs - now), 'NX');
    results(await p.exec());
  }

  /**
   * A call's snapshot (JSON); it outlives the call, and a stale one is ended on the next start.
   * `listed`: the owner's set already holds the call (an earlier save succeeded), so only the
   * snapshot itself is written.
   */
  async saveSession(owner: string, callId: string, json: string, listed: boolean): Promise<void> {
    if (listed) {
      await this.redis.set(this.keys.session(callId), json, 'EX', SESSION_TTL_S);
      return;
    }
    await this.redis.multi().set(this.keys.session(callId), json, 'EX', SESSION_TTL_S).sadd(this.keys.sessions(owner), callId).exec();
  }
  /** Whether the instance's set of calls lists the call: written once per call, so gone only if Redis lost it. */
  async isListed(owner: string, callId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.sessions(owner), callId)) === 1;
  }
  async dropSession(owner: string, callId: string): Promise<void> {
    await this.redis.multi().del(this.keys.session(callId)).srem(this.keys.sessions(owner), callId).exec();
  }
  async sessions<T>(owner: string): Promise<T[]> {
    const ids = await this.redis.smembers(this.keys.sessions(owner));
    if (!ids.length) return [];
    const raw = await this.redis.mget(...ids.map((id) => this.keys.session(id)));
    const gone = ids.filter((_, i) => !raw[i]);
    if (gone.length) await this.redis.srem(this.keys.sessions(owner), ...gone);
    return raw.filter((x): x is string => !!x).map((x) => JSON.parse(x) as T);
  }
  /** A restarted instance takes its waiting calls back. */
  async setOwner(callId: string, owner: string): Promise<void> {
    const d = await this.waitingOne(callId);
    if (d) await this.redis.hset(this.keys.waiting, callId, JSON.stringify({ ...d, owner }));
  }

  /** Claims the putting back of a kept callback place after a loss: true for one caller only. */
  async claimKeptPlaceRestore(callId: string): Promise<boolean> {
    return (await this.redis.set(this.keys.keptPlaceRestored(callId), '1', 'EX', 86_400, 'NX')) === 'OK';
  }

  async keepForCallback(callId: string): Promise<void> {
    const d = await this.waitingOne(callId);
    if (d) await this.redis.hset(this.keys.waiting, callId, JSON.stringify({ ...d, kind: 'callback' }));
  }

  /** Takes a waiting entry out of its queue if it is still there; true if this caller took it. */
  async take(queue: string, callId: string): Promise<boolean> {
    const res = await this.redis.multi().zrem(this.keys.queue(queue), callId).hdel(this.keys.waiting, callId).exec();
    return Number(res?.[0]?.[1]) === 1;
  }

  async markExpired(callId: string): Promise<void> {
    const d = await this.waitingOne(callId);
    if (d) await this.redis.hset(this.keys.waiting, callId, JSON.stringify({ ...d, expired: true }));
  }

  /** 1-based position in its queue, or undefined if not waiting. */
  async position(queue: string, callId: string): Promise<number | undefined> {
    const r = await this.redis.zrank(this.keys.queue(queue), callId);
    return r === null ? undefined : r + 1;
  }
  /** Every queue that has had a caller; the dispatcher looks at each. */
  async queues(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.queues)).sort();
  }
  async dequeue(queue: string, callId: string): Promise<void> {
    await this.redis.multi().zrem(this.keys.queue(queue), callId).hdel(this.keys.waiting, callId).exec();
  }
  async waiting(queue: string, limit = 1000): Promise<Array<{ callId: string; score: number }>> {
    const flat = await this.redis.zrange(this.keys.queue(queue), 0, limit - 1, 'WITHSCORES');
    const out: Array<{ callId: string; score: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ callId: flat[i]!, score: Number(flat[i + 1]) });
    return out;
  }

  /** Atomically removes the call from its queue and reserves the agent; false if either changed meanwhile. */
  async claim(queue: string, callId: string, agentId: string, now: number): Promise<boolean> {
    const r = await runScript(this.redis, CLAIM,
      [this.keys.queue(queue), this.keys.agent(agentId), this.keys.idle, this.keys.waiting, ...this.changeKeys()], [callId, agentId, String(now)]);
    return r === 1;
  }

  /** The keys every script that changes an agent also writes (scripts.ts NOTE_CHANGE). */
  private changeKeys(): [string, string] {
    return [this.keys.agentChangeSeq, this.keys.agentChanges];
  }
}

/** A pipeline's replies, or the first error in it. */
function results(res: Array<[Error | null, unknown]> | null): unknown[] {
  if (!res) throw new Error('redis pipeline was not executed');
  return res.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function toAgentLive(agentId: string, h: Record<string, string>): AgentLive | undefined {
  if (!h.state && !h.registered && !h.profile) return undefined;
  return {
    agentId,
    state: (h.state as AgentState) ?? 'logged_out',
    registered: h.registered === '1',
    callId: h.callId || undefined,
    since: Number(h.since ?? 0),
    profile: h.profile ? (JSON.parse(h.profile) as AgentProfile) : { name: agentId, skills: {}, queues: [] },
    pauseReason: h.pauseReason || undefined,
    wrapUntil: h.wrapUntil ? Number(h.wrapUntil) : undefined,
    callsHandled: Number(h.callsHandled ?? 0),
    lastOfferedAt: h.lastOfferedAt ? Number(h.lastOfferedAt) : undefined,
    misses: Number(h.misses ?? 0),
  };
}
