import type { Logger } from 'pino';
import { KeyedSerial } from '../../shared/keyed-serial.js';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import { isAgentState, moves, type AgentState, type MoveName } from '../../core/agents/state.js';
import type { AriClient } from '../../adapters/ari/client.js';
import { phoneFingerprint, phoneObjects, pushAgentPhone, sipDigest } from '../../adapters/ari/pjsip-push.js';
import type { AgentRecord, AgentTimelineEntry, PauseReason, PgAgentRepo } from './agent-repo.js';
import type { AgentLive, AgentLiveStore, MoveExtra } from './agent-live-store.js';
import { checkAgentRefs, type RefProblem, type RoutingRefs } from '../../core/config/cross-check.js';

export interface AgentServiceDeps {
  ari: AriClient;
  /** Where agents' phones may register and call from (config AGENT_NETWORKS, pjsip-push.ts). */
  agentNetworks: readonly string[];
  repo: PgAgentRepo;
  liveAgents: AgentLiveStore;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  /** Called when an agent may have become offerable. */
  onOfferable: () => void;
  /** Called when agents' skills or queues were stored anew (routing caches them). */
  onProfilesChanged?: () => void;
  /** The routing configuration in force: an agent's skills and queues must be declared there. */
  activeRouting: () => Promise<RoutingRefs>;
  /** The Asterisk node this instance drives (config ASTERISK_NODE): registrations it sees are recorded as on it. */
  node?: string;
}

/** A node's name as config and the link endpoints spell it: a dial string is built from it. */
const NODE_NAME = /^[a-z0-9]{1,20}$/;

/** Who asked for a state change (recorded in the event). */
export type Via = 'api' | 'phone' | 'system';

/** The outcome of a state change an agent or ops asked for. */
export type StateChange =
  | { applied: true; agentId: string; from: AgentState; state: AgentState; pauseReason?: string }
  /** The agent is in a state the move does not apply to (e.g. pausing while on a call). */
  | { applied: false; agentId: string; problem: 'not_applicable'; state: AgentState }
  | { applied: false; agentId: string; problem: 'unknown_agent' }
  | { applied: false; agentId: string; problem: 'unknown_pause_reason'; pauseReason: string };

/** Words for a refused change, e.g. "agent 1001 is on_call, cannot pause". */
export function describeRefusal(r: Exclude<StateChange, { applied: true }>, action: string): string {
  switch (r.problem) {
    case 'not_applicable':
      return `agent ${r.agentId} is ${r.state}, cannot ${action}`;
    case 'unknown_agent':
      return `agent ${r.agentId} does not exist`;
    case 'unknown_pause_reason':
      return `pause reason "${r.pauseReason}" does not exist (see GET /api/pause-reasons)`;
  }
}

/** A save that cannot be carried out as asked; `field` names what is wrong. */
export class AgentInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'AgentInputError';
  }
}

/** Skills or queues the active routing configuration does not have; `problems` at /skills/<code>, /queues/<i>. */
export class AgentRefError extends AgentInputError {
  constructor(readonly problems: RefProblem[]) {
    const [first, ...rest] = problems as [RefProblem, ...RefProblem[]];
    super(first.path.slice(1), [first.message, ...rest.map((p) => `body${p.path}: ${p.message}`)].join('; '));
    this.name = 'AgentRefError';
  }
}

export interface SaveAgent {
  agentId: string;
  name: string;
  /** Required to create an agent; left out on an update, the phone keeps its password. */
  password?: string;
  /** Left out: unchanged (empty for a new agent). */
  skills?: Record<string, number>;
  queues?: string[];
}

/** Agents: their phones in Asterisk, their registration, and their state moves (each one an event). */
export class AgentService {
  /**
   * What Asterisk holds of one agent's phone is written in order, from what Postgres holds at
   * that moment: a resync after a reconnection must never push a password a save just replaced.
   */
  private readonly phones = new KeyedSerial();
  /**
   * Reachability last written from a device state, per agent. Asterisk sends one on every call
   * (ringing, in use, not in use) that leaves registration as it was; those write nothing.
   * Forgotten whenever registration is written another way, and at every resync.
   */
  private readonly reported = new Map<string, boolean>();

  constructor(private readonly d: AgentServiceDeps) {}

  /**
   * Creates or updates an agent, pushes its phone into Asterisk (a new password applies to the
   * next REGISTER) and its routing profile into live state.
   */
  async save(p: SaveAgent): Promise<{ created: boolean; agent: AgentRecord }> {
    const problems = checkAgentRefs(p, await this.d.activeRouting());
    if (problems.length) throw new AgentRefError(problems);
    const sipMd5 = p.password === undefined ? undefined : sipDigest(p.agentId, p.password);
    const r = await this.d.repo.upsert({ agentId: p.agentId, name: p.name, sipMd5, skills: p.skills, queues: p.queues });
    if (!r) throw new AgentInputError('password', `password is required to create agent ${p.agentId}`);
    await this.pushCurrent(p.agentId);
    return r;
  }

  /**
   * Deletes (deactivates) an agent: logs it out, removes its phone from Asterisk. Refused
   * (not_applicable) while the agent is reserved for or on a call.
   */
  async remove(agentId: string, via: Via = 'api'): Promise<StateChange> {
    if (!(await this.d.repo.get(agentId))) return { applied: false, agentId, problem: 'unknown_agent' };
    const out = await this.apply(agentId, 'logout', 'deleted', via);
    if (!out.ok && out.from !== 'logged_out') return { applied: false, agentId, problem: 'not_applicable', state: out.from };
    // The phone first: if Asterisk cannot be reached the agent stays, and deleting again finishes the job.
    const ari = this.d.ari;
    await this.phones.run(agentId, async () => {
      await ari.deleteDynamic('res_pjsip', 'endpoint', agentId);
      await ari.deleteDynamic('res_pjsip', 'aor', agentId);
      await ari.deleteDynamic('res_pjsip', 'auth', agentId);
      await this.d.liveAgents.notePhonePushed(this.pushedField(agentId), undefined);
      await this.d.repo.deactivate(agentId);
    });
    this.reported.delete(agentId);
    await this.d.liveAgents.setRegistered(agentId, false, this.d.ctx().now, '*');
    return { applied: true, agentId, from: out.from, state: 'logged_out' };
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    return this.d.repo.get(agentId);
  }

  /** Active agents with their live state (undefined live state: never seen by Redis yet). */
  async list(): Promise<Array<{ agent: AgentRecord; live: AgentLive | undefined }>> {
    const all = await this.d.repo.list();
    return Promise.all(all.map(async (agent) => ({ agent, live: await this.d.liveAgents.agent(agent.agentId) })));
  }

  async live(agentId: string): Promise<AgentLive | undefined> {
    return this.d.liveAgents.agent(agentId);
  }

  pauseReasons(): Promise<PauseReason[]> {
    return this.d.repo.pauseReasons();
  }

  addPauseReason(p: { code: string; zh: string; en: string }): Promise<PauseReason | undefined> {
    return this.d.repo.addPauseReason(p);
  }

  renamePauseReason(code: string, p: { zh?: string; en?: string }): Promise<PauseReason | undefined> {
    return this.d.repo.renamePauseReason(code, p);
  }

  /** Agents paused for it stay paused for it; nobody can pick it again. */
  retirePauseReason(code: string): Promise<'retired' | 'builtin' | 'unknown'> {
    return this.d.repo.retirePauseReason(code);
  }

  timeline(agentId: string, range: { from?: Date; to?: Date; limit: number }): Promise<AgentTimelineEntry[]> {
    return this.d.repo.timeline(agentId, range);
  }

  /**
   * Logging in also reads the phone's registration from Asterisk: a phone that registered while
   * no device-state change reached us (seen with an agent deleted and created again, its phone
   * registering anew: no event came) would otherwise never be offered a call.
   */
  async login(agentId: string, via: Via): Promise<StateChange> {
    if (await this.d.repo.get(agentId).then((a) => a?.active)) {
      await this.refreshRegistration(agentId).catch((err: Error) =>
        this.d.log.warn({ agentId, err: err.message }, 'registration not read at login'),
      );
    }
    return this.change(agentId, 'login', 'login', via);
  }

  logout(agentId: string, via: Via): Promise<StateChange> {
    return this.change(agentId, 'logout', 'logout', via);
  }

  /** Pauses with a reason from pause_reasons; from available or from wrap-up. */
  async pause(agentId: string, reasonCode: string, via: Via): Promise<StateChange> {
    if (!(await this.d.repo.pauseReasonExists(reasonCode))) {
      if (!(await this.d.repo.get(agentId))) return { applied: false, agentId, problem: 'unknown_agent' };
      return { applied: false, agentId, problem: 'unknown_pause_reason', pauseReason: reasonCode };
    }
    return this.change(agentId, 'pause', 'pause', via, { pauseReason: reasonCode });
  }

  unpause(agentId: string, via: Via): Promise<StateChange> {
    return this.change(agentId, 'unpause', 'unpause', via);
  }

  endWrapUp(agentId: string, via: Via): Promise<StateChange> {
    return this.change(agentId, 'endWrapUp', 'end_wrap_up', via);
  }

  private async change(agentId: string, move: MoveName, reason: string, via: Via, extra: MoveExtra = {}): Promise<StateChange> {
    if (!(await this.d.repo.get(agentId))) return { applied: false, agentId, problem: 'unknown_agent' };
    const { ok, from } = await this.apply(agentId, move, reason, via, undefined, extra);
    if (!ok) return { applied: false, agentId, problem: 'not_applicable', state: from };
    return { applied: true, agentId, from, state: moves[move].to, ...(extra.pauseReason ? { pauseReason: extra.pauseReason } : {}) };
  }

  /** After (re)connecting to Asterisk: every active agent's phone pushed again, profiles refreshed, registrations re-read. */
  async syncWithAsterisk(): Promise<void> {
    this.reported.clear();
    await this.d.ari.dropSubscriptions(['endpoint']);
    // A phone Asterisk still has, as last pushed, is not pushed again (pjsip-push.ts phoneFingerprint).
    const [present, pushed] = await Promise.all([
      this.d.ari.endpoints('PJSIP').then((eps) => new Set(eps.map((e) => e.resource))),
      this.d.liveAgents.pushedPhones(),
    ]);
    const unchanged = (agentId: string, fingerprint: string) =>
      present.has(agentId) && pushed.get(this.pushedField(agentId)) === fingerprint;
    // Routing is told once at the end, not per agent: each telling makes its next round read every
    // agent again, which for a few hundred agents is as many full reads while calls are routed.
    for (const a of await this.d.repo.list()) await this.pushCurrent(a.agentId, false, unchanged);
    this.d.onProfilesChanged?.();
  }

  /**
   * Redis lost every agent's live state: each agent gets back its profile, whether its phone is
   * registered (one read of every endpoint), and the state history last recorded for it, so nobody
   * has to log in again and callers are not turned away from queues that would look unstaffed.
   * Wrap-up ends at once (its end was not recorded); a ring or a call that ended meanwhile is freed
   * by the stuck-agent check the recovery runs next. Nothing is published: for the agents nothing
   * changed. Asterisk lost nothing, so phones are not pushed; the next reconnection pushes them,
   * their fingerprints gone.
   */
  async liveStateLost(): Promise<number> {
    const active = await this.d.repo.list();
    const [last, endpoints] = await Promise.all([this.d.repo.lastStates(active.map((a) => a.agentId)), this.d.ari.endpoints('PJSIP')]);
    const online = new Set(endpoints.filter((e) => e.state === 'online').map((e) => e.resource));
    const now = this.d.ctx().now;
    let restored = 0;
    this.reported.clear();
    for (const a of active) {
      await this.d.liveAgents.setProfile(a.agentId, profileOf(a));
      const s = last.get(a.agentId);
      if (s && s.state !== 'logged_out' && isAgentState(s.state)) {
        const wrapUntil = s.state === 'wrap_up' ? now : undefined;
        if (
          await this.d.liveAgents.restoreAgent(a.agentId, {
            state: s.state,
            since: s.at,
            callId: s.callId,
            pauseReason: s.pauseReason,
            wrapUntil,
          })
        )
          restored++;
      }
      await this.d.liveAgents.setRegistered(a.agentId, online.has(a.agentId), now, this.node);
    }
    this.d.onProfilesChanged?.();
    return restored;
  }

  /**
   * Before the service stops: Asterisk keeps an app's subscriptions after its connection closes,
   * and every state change of a followed phone would go to an app nobody listens to (a warning in
   * Asterisk's log each) until the next start follows them again and re-reads registrations.
   */
  async unfollowPhones(): Promise<void> {
    await this.d.ari.dropSubscriptions(['deviceState']);
  }

  /** Pushes the agent's phone and routing profile as stored now, in turn with its other pushes. */
  private pushCurrent(agentId: string, tellRouting = true, unchanged?: (agentId: string, fingerprint: string) => boolean): Promise<void> {
    return this.phones.run(agentId, async () => {
      const a = await this.d.repo.get(agentId);
      if (!a?.active) return;
      await this.d.liveAgents.setProfile(a.agentId, profileOf(a));
      if (tellRouting) this.d.onProfilesChanged?.();
      await this.attachPhone(a, unchanged);
    });
  }

  /**
   * Pushes the phone and follows its registration through device-state events. Not an
   * endpoint subscription: that also forwards every channel event of the endpoint, so each
   * event of a call already in our app would arrive twice (seen as doubled DTMF digits).
   */
  private async attachPhone(a: AgentRecord, unchanged?: (agentId: string, fingerprint: string) => boolean): Promise<void> {
    const objects = phoneObjects(a, this.d.agentNetworks);
    const fingerprint = phoneFingerprint(objects);
    if (!unchanged?.(a.agentId, fingerprint)) {
      await pushAgentPhone(this.d.ari, objects, a.agentId);
      await this.d.liveAgents.notePhonePushed(this.pushedField(a.agentId), fingerprint);
    }
    await this.d.ari.subscribe(`deviceState:PJSIP/${a.agentId}`);
    await this.refreshRegistration(a.agentId);
  }

  /** A device-state event of the agent's phone. */
  async deviceState(agentId: string, reachable: boolean): Promise<void> {
    if (this.reported.get(agentId) === reachable) return;
    this.reported.set(agentId, reachable);
    try {
      await this.setRegistered(agentId, reachable);
    } catch (err) {
      this.reported.delete(agentId);
      throw err;
    }
  }

  async refreshRegistration(agentId: string): Promise<void> {
    this.reported.delete(agentId);
    const ep = await this.d.ari.endpoint('PJSIP', agentId).catch(() => undefined);
    await this.setRegistered(agentId, ep?.state === 'online');
  }

  private async setRegistered(agentId: string, registered: boolean): Promise<void> {
    const changed = await this.d.liveAgents.setRegistered(agentId, registered, this.d.ctx().now, this.node);
    if (changed && registered) this.d.onOfferable();
  }

  /** Phones pushed are noted per node: each node's Asterisk has its own copy (one node: by agent id, as before). */
  private pushedField(agentId: string): string {
    return this.d.node ? `${this.d.node}/${agentId}` : agentId;
  }

  /**
   * Several nodes: an agent saved or removed through another instance reaches this node's Asterisk
   * here (each instance pushes to its own node only). Phones this node has as last pushed are left
   * alone; an agent's phone no longer active is removed from this node, so it cannot register here.
   */
  async syncNodePhones(): Promise<void> {
    const [present, pushed, agents] = await Promise.all([
      this.d.ari.endpoints('PJSIP').then((eps) => new Set(eps.map((e) => e.resource))),
      this.d.liveAgents.pushedPhones(),
      this.d.repo.list(),
    ]);
    const active = new Set<string>();
    let pushedAny = false;
    for (const a of agents) {
      active.add(a.agentId);
      const fingerprint = phoneFingerprint(phoneObjects(a, this.d.agentNetworks));
      if (present.has(a.agentId) && pushed.get(this.pushedField(a.agentId)) === fingerprint) continue;
      await this.pushCurrent(a.agentId, false);
      pushedAny = true;
    }
    if (pushedAny) this.d.onProfilesChanged?.();
    for (const id of present) {
      // Only agents' phones (their ids are digits): the trunk and the links to other nodes are static.
      if (!/^\d{3,6}$/.test(id) || active.has(id)) continue;
      await this.phones.run(id, async () => {
        await this.d.ari.deleteDynamic('res_pjsip', 'endpoint', id);
        await this.d.ari.deleteDynamic('res_pjsip', 'aor', id);
        await this.d.ari.deleteDynamic('res_pjsip', 'auth', id);
        await this.d.liveAgents.notePhonePushed(this.pushedField(id), undefined);
      });
      await this.setRegistered(id, false);
    }
  }

  private get node(): string {
    return this.d.node ?? 'main';
  }

  /**
   * Where to ring the agent's phone from this instance's node: its own PJSIP endpoint when the
   * phone is registered here (or nowhere known), else through the link to the node it is on,
   * whose dialplan rings it there (dialplans/nodes.conf).
   */
  async dialString(agentId: string): Promise<string> {
    const on = await this.d.liveAgents.nodeOf(agentId);
    if (!on || on === this.node || !NODE_NAME.test(on)) return `PJSIP/${agentId}`;
    return `PJSIP/${agentId}@node-${on}`;
  }

  /**
   * This instance lost its node (ARI gone): the phones registered on it are unreachable from now,
   * until the next sync re-reads them. Those reached from another node stay reachable.
   */
  async nodeLost(): Promise<void> {
    this.reported.clear();
    const lost = await this.d.liveAgents.nodeLost(this.node, this.d.ctx().now);
    if (lost.length) this.d.log.warn({ node: this.node, agents: lost.length }, 'Asterisk node lost: its agents are unreachable');
  }

  /**
   * Applies a state move if the agent is in a state it applies to, and records it as an event
   * with its reason. `extra` carries the pause reason or the end of wrap-up into live state;
   * a pause reason and `via` (who asked) are recorded in the event too.
   */
  /**
   * The dispatcher reserved the agent for a call (atomically, in Redis, together with the call):
   * only the event is left to publish, so the stream sees every state the agent passes through.
   */
  noteReserved(agentId: string, callId: string): void {
    this.d.publish([
      stamp(this.d.ctx(), { type: 'agent.state_changed', agentId, from: 'available', to: 'reserved', reason: 'offered', callId }),
    ]);
  }

  async move(agentId: string, move: MoveName, reason?: string, callId?: string, extra: MoveExtra = {}, via?: Via): Promise<boolean> {
    return (await this.apply(agentId, move, reason, via, callId, extra)).ok;
  }

  private async apply(
    agentId: string,
    move: MoveName,
    reason: string | undefined,
    via: Via | undefined,
    callId?: string,
    extra: MoveExtra = {},
  ): Promise<{ ok: boolean; from: AgentState }> {
    const ctx = this.d.ctx();
    const { ok, from } = await this.d.liveAgents.moveAgent(agentId, move, ctx.now, callId ?? '', extra);
    if (!ok) {
      this.d.log.debug({ agentId, move, from }, 'agent move not applicable');
      return { ok, from };
    }
    const to = moves[move].to;
    this.d.publish([
      stamp(ctx, {
        type: 'agent.state_changed',
        agentId,
        from,
        to,
        reason,
        callId,
        ...(via ? { via } : {}),
        ...(to === 'paused' && extra.pauseReason ? { pauseReason: extra.pauseReason } : {}),
      }),
    ]);
    if (to === 'available') this.d.onOfferable();
    return { ok, from };
  }
}

function profileOf(a: AgentRecord): { name: string; skills: Record<string, number>; queues: string[] } {
  return { name: a.name, skills: a.skills, queues: a.queues };
}
