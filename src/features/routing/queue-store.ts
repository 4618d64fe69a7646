import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { results } from '../../adapters/redis/pipeline.js';
import { CLAIM, ENQUEUE, ENQUEUE_CLAIM, WAITING_REPLACE, runScript } from '../../adapters/redis/scripts.js';
import type { IdleAgent } from '../agents/agent-live-store.js';

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

export interface RoutingView {
  /** Queue by queue (sorted by name), each in its own order. */
  waiting: WaitingDetails[];
  /** Longest idle first. */
  idle: IdleAgent[];
}

/** What may change on a call while it waits; everything else is fixed when it enters its queue. */
type WaitingChange = Partial<Pick<WaitingDetails, 'owner' | 'expired' | 'kind'>>;

/**
 * A change to a waiting call lost its compare-and-set only when another writer changed the same
 * call between the read and the write; this many in a row means something rewrites it endlessly.
 */
const MAX_CHANGE_TRIES = 10;

/**
 * The waiting queues in Redis, shared by all instances: each queue's calls in order with their
 * routing facts, the claim that takes a call out of its queue and reserves an agent for it, and
 * the marks on a waiting call (its owner, a queue rule fired, a place kept for a callback).
 * Every change that depends on what is there is one Lua script, so a call claimed meanwhile is
 * never put back.
 */
export class QueueStore {
  private knownQueues: string[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Adds the call to its queue (keeping its place if already there); returns its 1-based position. */
  async enqueue(details: Omit<WaitingDetails, 'positionAtEntry'>, score: number): Promise<number> {
    const { queue, callId } = details;
    return Number(
      await runScript(
        this.redis,
        ENQUEUE,
        [this.keys.queues, this.keys.queue(queue), this.keys.waiting],
        [queue, callId, String(score), JSON.stringify(details)],
      ),
    );
  }

  /**
   * Adds the call to its queue and, if no other call waits and `agentId` is still available with
   * a registered phone, reserves that agent for it in the same step (the call then leaves the queue).
   */
  async enqueueAndClaim(
    details: Omit<WaitingDetails, 'positionAtEntry'>,
    score: number,
    agentId: string,
    now: number,
  ): Promise<{ position: number; claimed: boolean }> {
    const { queue, callId } = details;
    const [position, claimed] = (await runScript(
      this.redis,
      ENQUEUE_CLAIM,
      [this.keys.queues, this.keys.queue(queue), this.keys.waiting, this.keys.agent(agentId), this.keys.idle, ...this.changeKeys()],
      [queue, callId, String(score), JSON.stringify(details), agentId, String(now)],
    )) as [number, number];
    return { position, claimed: claimed === 1 };
  }

  /** Atomically removes the call from its queue and reserves the agent; false if either changed meanwhile. */
  async claim(queue: string, callId: string, agentId: string, now: number): Promise<boolean> {
    const r = await runScript(
      this.redis,
      CLAIM,
      [this.keys.queue(queue), this.keys.agent(agentId), this.keys.idle, this.keys.waiting, ...this.changeKeys()],
      [callId, agentId, String(now)],
    );
    return r === 1;
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

  /** A restarted instance takes its waiting calls back. False if the call no longer waits. */
  async setOwner(callId: string, owner: string): Promise<boolean> {
    return this.change(callId, { owner });
  }

  /** The caller chose to be called back: the call keeps its place, to be dialled when its turn comes. */
  async keepForCallback(callId: string): Promise<boolean> {
    return this.change(callId, { kind: 'callback' });
  }

  /** A queue rule fired for the call, so it fires once. */
  async markExpired(callId: string): Promise<boolean> {
    return this.change(callId, { expired: true });
  }

  /** Claims the putting back of a kept callback place after a loss: true for one caller only. */
  async claimKeptPlaceRestore(callId: string): Promise<boolean> {
    return (await this.redis.set(this.keys.keptPlaceRestored(callId), '1', 'EX', 86_400, 'NX')) === 'OK';
  }

  /** Takes a waiting entry out of its queue if it is still there; true if this caller took it. */
  async take(queue: string, callId: string): Promise<boolean> {
    const res = await this.redis.multi().zrem(this.keys.queue(queue), callId).hdel(this.keys.waiting, callId).exec();
    return Number(res?.[0]?.[1]) === 1;
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

  /**
   * Writes `change` into a waiting call's facts if it still waits. The facts are JSON, merged
   * here and written by compare-and-set (scripts.ts WAITING_REPLACE): a claim, or another change,
   * between the read and the write makes the write miss, and it is tried again from what is there
   * then (nothing, for a call claimed). False if the call no longer waits.
   */
  private async change(callId: string, change: WaitingChange): Promise<boolean> {
    for (let tries = 0; tries < MAX_CHANGE_TRIES; tries++) {
      const raw = await this.redis.hget(this.keys.waiting, callId);
      if (!raw) return false;
      const next = JSON.stringify({ ...(JSON.parse(raw) as WaitingDetails), ...change });
      if (next === raw) return true;
      if ((await runScript(this.redis, WAITING_REPLACE, [this.keys.waiting], [callId, raw, next])) === 1) return true;
    }
    throw new Error(`waiting call ${callId} kept changing: ${JSON.stringify(change)} not written`);
  }

  /** The keys every script that changes an agent also writes (scripts.ts NOTE_CHANGE): a claim reserves one. */
  private changeKeys(): [string, string] {
    return [this.keys.agentChangeSeq, this.keys.agentChanges];
  }
}
