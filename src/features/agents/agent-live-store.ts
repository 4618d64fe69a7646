import type { Redis } from 'ioredis';
import { moves, type AgentState, type MoveName } from '../../core/agents/state.js';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { results } from '../../adapters/redis/pipeline.js';
import { AGENT_MOVE, AGENT_PROFILE, AGENT_REGISTERED, AGENT_RESTORE, FORGET_WRAP_UP, runScript } from '../../adapters/redis/scripts.js';

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

export interface MoveExtra {
  pauseReason?: string;
  wrapUntil?: number;
}

export interface IdleAgent {
  agentId: string;
  /** When the agent became available (ms). */
  idleSince: number;
}

/**
 * Every agent's live state in Redis, shared by all instances: state, phone registration, profile,
 * offers and misses, wrap-ups that end by themselves, the change numbers readers follow, and what
 * was last pushed into Asterisk for each phone. Decisions are the core's (core/agents/state.ts);
 * this only stores them atomically. The claim of an agent for a call is the queues' (routing/queue-store.ts).
 */
export class AgentLiveStore {
  /** `bulk`: the connection for reading every agent, so that read never delays a claim. */
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly bulk: Redis = redis,
  ) {}

  /** Applies a named move if the agent is in an allowed state. Returns the state it was in. */
  async moveAgent(
    agentId: string,
    move: MoveName,
    now: number,
    callId = '',
    extra: MoveExtra = {},
  ): Promise<{ ok: boolean; from: AgentState }> {
    const m = moves[move];
    const [ok, from] = (await runScript(
      this.redis,
      AGENT_MOVE,
      [this.keys.agent(agentId), this.keys.idle, this.keys.wrapUps, ...this.changeKeys()],
      [
        agentId,
        m.from.join(','),
        m.to,
        callId,
        String(now),
        extra.pauseReason ?? '',
        extra.wrapUntil === undefined ? '' : String(extra.wrapUntil),
      ],
    )) as [number, AgentState];
    return { ok: ok === 1, from };
  }

  async setProfile(agentId: string, profile: AgentProfile): Promise<void> {
    await runScript(
      this.redis,
      AGENT_PROFILE,
      [this.keys.agent(agentId), this.keys.agentIds, ...this.changeKeys()],
      [agentId, JSON.stringify(profile)],
    );
  }

  /** After Redis lost the live state: the agent's state as it was, unless it has one again. */
  async restoreAgent(
    agentId: string,
    s: { state: AgentState; since: number; callId?: string; pauseReason?: string; wrapUntil?: number },
  ): Promise<boolean> {
    const restored = await runScript(
      this.redis,
      AGENT_RESTORE,
      [this.keys.agent(agentId), this.keys.idle, this.keys.wrapUps, this.keys.agentIds, ...this.changeKeys()],
      [agentId, s.state, String(s.since), s.callId ?? '', s.pauseReason ?? '', s.wrapUntil === undefined ? '' : String(s.wrapUntil)],
    );
    return restored === 1;
  }

  /** Counts a missed offer; returns the number missed in a row. */
  async countMiss(agentId: string): Promise<number> {
    return this.redis.hincrby(this.keys.agent(agentId), 'misses', 1);
  }

  /**
   * Whether the agent's phone is reachable from `node` (`'*'` and false: from none); true if that
   * changed whether any node reaches it.
   */
  async setRegistered(agentId: string, registered: boolean, now: number, node = 'main'): Promise<boolean> {
    const changed = await runScript(
      this.redis,
      AGENT_REGISTERED,
      [this.keys.agent(agentId), this.keys.idle, this.keys.agentIds, ...this.changeKeys()],
      [agentId, node === '*' ? (registered ? '1' : 'x') : registered ? '1' : '0', String(now), node === '*' ? 'main' : node],
    );
    return changed === 1;
  }

  /** The node the agent's phone is registered on (the latest to report it), if any. */
  async nodeOf(agentId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.agent(agentId), 'node')) ?? undefined;
  }

  /** A node is lost: none of its registrations stands. Returns the agents that became unreachable. */
  async nodeLost(node: string, now: number): Promise<string[]> {
    const ids = await this.bulk.smembers(this.keys.agentIds);
    const lost: string[] = [];
    for (const id of ids) if (await this.setRegistered(id, false, now, node)) lost.push(id);
    return lost;
  }

  /** Agents whose wrap-up should have ended by `now`. */
  async dueWrapUps(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.wrapUps, '-inf', now);
  }
  /**
   * For an agent no longer in wrap-up by a path that did not clear it (e.g. its record was
   * removed). An agent in wrap-up (again, since the caller looked) keeps its entry.
   */
  async forgetWrapUp(agentId: string): Promise<void> {
    await runScript(this.redis, FORGET_WRAP_UP, [this.keys.agent(agentId), this.keys.wrapUps], [agentId]);
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

  /** What was last pushed into Asterisk for each agent's phone (fingerprints; pjsip-push.ts). */
  async pushedPhones(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.bulk.hgetall(this.keys.phonesPushed)));
  }
  async notePhonePushed(agentId: string, fingerprint: string | undefined): Promise<void> {
    if (fingerprint === undefined) await this.redis.hdel(this.keys.phonesPushed, agentId);
    else await this.redis.hset(this.keys.phonesPushed, agentId, fingerprint);
  }

  /** The keys every script that changes an agent also writes (scripts.ts NOTE_CHANGE). */
  private changeKeys(): [string, string] {
    return [this.keys.agentChangeSeq, this.keys.agentChanges];
  }
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
