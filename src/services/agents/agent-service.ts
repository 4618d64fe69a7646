import type { Logger } from 'pino';
import { stamp, type Ctx, type DomainEvent } from '../../core/events.js';
import { moves, type MoveName } from '../../core/agents/state.js';
import type { AriClient } from '../../adapters/ari/client.js';
import { pushAgentPhone, sipDigest } from '../../adapters/ari/pjsip-push.js';
import type { AgentRecord, PgAgentRepo } from '../../adapters/postgres/agent-repo.js';
import type { LiveState, MoveExtra } from '../../adapters/redis/live-state.js';

export interface AgentServiceDeps {
  ari: AriClient;
  repo: PgAgentRepo;
  live: LiveState;
  publish: (events: DomainEvent[]) => void;
  ctx: () => Ctx;
  log: Logger;
  /** Called when an agent may have become offerable. */
  onOfferable: () => void;
}

/** Agents: their phones in Asterisk, their registration, and their state moves (each one an event). */
export class AgentService {
  constructor(private readonly d: AgentServiceDeps) {}

  async save(p: { agentId: string; name: string; password: string }): Promise<void> {
    const rec = { agentId: p.agentId, name: p.name, sipMd5: sipDigest(p.agentId, p.password) };
    await this.d.repo.upsert(rec);
    await this.attachPhone(rec);
  }

  /** After (re)connecting to Asterisk: every agent's phone pushed again and registrations re-read. */
  async syncWithAsterisk(): Promise<void> {
    await this.d.ari.dropEndpointSubscriptions();
    for (const a of await this.d.repo.list()) await this.attachPhone(a);
  }

  /**
   * Pushes the phone and follows its registration through device-state events. Not an
   * endpoint subscription: that also forwards every channel event of the endpoint, so each
   * event of a call already in our app would arrive twice (seen as doubled DTMF digits).
   */
  private async attachPhone(a: AgentRecord): Promise<void> {
    await pushAgentPhone(this.d.ari, a);
    await this.d.ari.subscribe(`deviceState:PJSIP/${a.agentId}`);
    await this.refreshRegistration(a.agentId);
  }

  async refreshRegistration(agentId: string): Promise<void> {
    const ep = await this.d.ari.endpoint('PJSIP', agentId).catch(() => undefined);
    await this.setRegistered(agentId, ep?.state === 'online');
  }

  async setRegistered(agentId: string, registered: boolean): Promise<void> {
    await this.d.live.setRegistered(agentId, registered, this.d.ctx().now);
    if (registered) this.d.onOfferable();
  }

  /**
   * Applies a state move if the agent is in a state it applies to, and records it as an event
   * with its reason. `extra` carries the pause reason or the end of wrap-up into live state.
   */
  async move(agentId: string, move: MoveName, reason?: string, callId?: string, extra: MoveExtra = {}): Promise<boolean> {
    const ctx = this.d.ctx();
    const { ok, from } = await this.d.live.moveAgent(agentId, move, ctx.now, callId ?? '', extra);
    if (!ok) {
      this.d.log.debug({ agentId, move, from }, 'agent move not applicable');
      return false;
    }
    const to = moves[move].to;
    this.d.publish([stamp(ctx, { type: 'agent.state_changed', agentId, from, to, reason, callId })]);
    if (to === 'available') this.d.onOfferable();
    return true;
  }
}
