import type { Logger } from 'pino';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AgentLiveStore } from './agent-live-store.js';
import type { AgentService } from './agent-service.js';

export const REPAIR_REASON = 'repaired_no_channel';

/**
 * Agents left "on call" or "ringing" by a lost hangup (a BYE that never arrived, a crash at
 * the wrong moment) are found by comparing with Asterisk's channels, freed, and the repair is
 * recorded as a state change with its own reason. A call still held by a live session here
 * is left to that session, whichever instance holds it. Run by one instance at a time (a lease).
 */
export class StuckAgents {
  constructor(
    private readonly d: {
      ari: AriClient;
      liveAgents: AgentLiveStore;
      agents: AgentService;
      /** Whether some instance's session holds the call (this one's, or a snapshot in Redis). */
      holdsCall: (callId: string) => boolean | Promise<boolean>;
      now: () => number;
      log: Logger;
      /** States younger than this are not judged: a leg may be just being created. */
      graceMs: number;
    },
  ) {}

  async repair(): Promise<string[]> {
    const channels = await this.d.ari.listChannels();
    const withChannel = new Set(channels.map((c) => /^PJSIP\/(.+)-[0-9a-f]+$/.exec(c.name)?.[1]).filter(Boolean));
    const repaired: string[] = [];
    const now = this.d.now();
    for (const a of await this.d.liveAgents.agents()) {
      if (a.state !== 'on_call' && a.state !== 'reserved') continue;
      if (now - a.since < this.d.graceMs || withChannel.has(a.agentId)) continue;
      if (a.callId && (await this.d.holdsCall(a.callId))) continue;
      const move = a.state === 'on_call' ? 'hangup' : 'unreserve';
      if (await this.d.agents.move(a.agentId, move, REPAIR_REASON, a.callId, {}, 'system')) {
        this.d.log.warn({ agentId: a.agentId, was: a.state, callId: a.callId }, 'agent had no channel in Asterisk: freed');
        repaired.push(a.agentId);
      }
    }
    return repaired;
  }
}
