import type { Logger } from 'pino';
import type { AgentLive, AgentLiveStore } from './agent-live-store.js';

/** Logged in with a registered phone, and serving the queue: could take its calls, now or later. */
export function serves(a: AgentLive, queue: string): boolean {
  return a.state !== 'logged_out' && a.registered && a.profile.queues.includes(queue);
}

export interface AgentMirrorDeps {
  liveAgents: Pick<AgentLiveStore, 'agentsChangedSince'>;
  now: () => number;
  log: Logger;
}

/**
 * This instance's copy of every agent in Redis, at most about a second old, for what may read
 * an agent a moment late: routing's skills and queues (who is idle is read fresh every round),
 * the expected wait, wallboards. A refresh reads only the agents changed since the last one
 * (Redis keeps their change numbers), so an idle centre costs two small reads a second however
 * many agents it has; every agent is read once a minute.
 */
export class AgentMirror {
  private snapshot: Snapshot = { at: 0, readFrom: 0, seq: undefined, fullAt: 0, byId: new Map(), agents: [] };
  private refreshing: Promise<void> | undefined;
  /** Bumped by invalidate(): a read begun before it must not count as fresh. */
  private generation = 0;

  constructor(
    private readonly d: AgentMirrorDeps,
    private readonly maxAgeMs = 1000,
  ) {}

  /**
   * Every agent in id order. Refreshed in the background once older than maxAgeMs, since no
   * reader needs it newer; waited for only when there is nothing current to give.
   */
  async agents(): Promise<AgentLive[]> {
    const now = this.d.now();
    const stale = this.snapshot.at === 0 || now - this.snapshot.at > this.maxAgeMs;
    if (stale && !this.refreshing) this.refreshing = this.refresh(now);
    if (this.snapshot.at === 0) await this.refreshing;
    return this.snapshot.agents;
  }

  /** What agents() would give now, without starting a read: possibly old, see freshWithin(). */
  get current(): AgentLive[] {
    return this.snapshot.agents;
  }

  /** Agents logged in with a registered phone who serve the queue (for the expected wait). */
  async serving(queue: string): Promise<number> {
    return (await this.agents()).filter((a) => serves(a, queue)).length;
  }

  /** When the read behind what agents() returns began: anything this instance did since may not show. */
  get asOf(): number {
    return this.snapshot.readFrom;
  }

  /** Whether agents() would answer without waiting for Redis, from a copy at most `ms` old. */
  freshWithin(ms: number, now: number): boolean {
    return this.snapshot.at !== 0 && now - this.snapshot.at <= ms;
  }

  /**
   * Every agent as read at `since` or later, waiting for a read if the copy is older; undefined if
   * that read failed. For decisions that cannot be taken back, such as turning a caller away.
   */
  async readSince(since: number): Promise<AgentLive[] | undefined> {
    // A read in flight may have begun before `since`: then one more.
    for (let tries = 0; tries < 2 && (this.snapshot.at === 0 || this.snapshot.readFrom < since); tries++) {
      await (this.refreshing ??= this.refresh(this.d.now()));
    }
    return this.snapshot.at !== 0 && this.snapshot.readFrom >= since ? this.snapshot.agents : undefined;
  }

  /** This instance changed an agent's skills or queues: the next read waits for an up-to-date copy. */
  invalidate(): void {
    this.generation++;
    this.snapshot = { ...this.snapshot, at: 0 };
  }

  private async refresh(readFrom: number): Promise<void> {
    const generation = this.generation;
    const since = readFrom - this.snapshot.fullAt > FULL_READ_MS ? undefined : this.snapshot.seq;
    try {
      this.snapshot = updated(this.snapshot, since, await this.d.liveAgents.agentsChangedSince(since), readFrom);
      if (generation !== this.generation) this.snapshot.at = 0;
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'agent snapshot not refreshed');
    } finally {
      this.refreshing = undefined;
    }
  }
}

/**
 * Every agent is read again this often, although changes are tracked: a change written without
 * its change number (by hand, or by an older version of this service during an upgrade) still
 * arrives within a minute.
 */
const FULL_READ_MS = 60_000;

interface Snapshot {
  /** When it was last brought up to date (ms); 0 = must be read before use. */
  at: number;
  /** When the read that brought it up to date began (ms). */
  readFrom: number;
  /** The change number it is current to; undefined = never read. */
  seq: number | undefined;
  /** When every agent was last read (ms). */
  fullAt: number;
  byId: Map<string, AgentLive>;
  /** byId's agents in id order, as routing has always been given them. */
  agents: AgentLive[];
}

/** The snapshot with a read applied: every agent (`since` undefined) or those changed after `since`. */
function updated(
  old: Snapshot,
  since: number | undefined,
  read: { seq: number; agents: AgentLive[]; gone: string[] },
  at: number,
): Snapshot {
  if (since === undefined) {
    return { at, readFrom: at, seq: read.seq, fullAt: at, byId: new Map(read.agents.map((a) => [a.agentId, a])), agents: read.agents };
  }
  // Numbers never go back unless Redis lost the count: trust nothing, read every agent next time.
  if (read.seq < since) return { ...old, at: 0, fullAt: 0 };
  if (!read.agents.length && !read.gone.length) return { ...old, at, readFrom: at, seq: read.seq };
  // A Map keeps its order when a value is replaced: only a newcomer needs the sort.
  const byId = new Map(old.byId);
  let newcomer = false;
  for (const a of read.agents) {
    newcomer ||= !byId.has(a.agentId);
    byId.set(a.agentId, a);
  }
  for (const id of read.gone) byId.delete(id);
  const agents = [...byId.values()];
  if (newcomer) agents.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  return { at, readFrom: at, seq: read.seq, fullAt: old.fullAt, byId, agents };
}
