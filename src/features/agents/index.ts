import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { every } from '../../shared/every.js';
import type { Port } from '../../shared/late.js';
import type { CallService } from '../calls/call-service.js';
import type { EventsFeature } from '../events/index.js';
import type { RoutingFeature } from '../routing/index.js';
import type { ConfigsFeature } from '../versioned-config/index.js';
import { PgAgentRepo } from './agent-repo.js';
import { AgentService } from './agent-service.js';
import { onDeviceState } from './asterisk-sync.js';
import { FeatureCodes } from './feature-codes.js';
import { OfferOutcomes } from './offer-outcomes.js';
import { agentRoutes } from './routes.js';
import { StuckAgents } from './stuck-agents.js';

export interface AgentsFeature extends Feature {
  service: AgentService;
  outcomes: OfferOutcomes;
  featureCodes: FeatureCodes;
  stuck: StuckAgents;
}

/**
 * Agents: their states, offers' outcomes, feature codes dialled from their phones, and the check
 * for agents left busy by a lost hangup (which asks calls, bound after they are built).
 */
export function registerAgents(
  { config, pool, ari, ariEvents, ariRouter, live, leases, ctx, log }: Infrastructure,
  d: { events: EventsFeature; configs: ConfigsFeature; routing: RoutingFeature; calls: Port<Pick<CallService, 'holds'>> },
): AgentsFeature {
  const { dispatcher } = d.routing;
  const service = new AgentService({
    ari,
    repo: new PgAgentRepo(pool),
    liveAgents: live.agents,
    publish: d.events.publish,
    ctx,
    log,
    onOfferable: () => dispatcher.kick(),
    activeRouting: () => d.configs.routing.active(),
    onProfilesChanged: () => dispatcher.invalidateAgents(),
    agentNetworks: config.AGENT_NETWORKS.split(','),
    node: config.ASTERISK_NODE,
  });
  const outcomes = new OfferOutcomes({ agents: service, liveAgents: live.agents, now: () => Date.now(), log });
  const featureCodes = new FeatureCodes({ ari, agents: service, lang: config.PROMPT_LANG, log: log.child({ component: 'feature-codes' }) });
  const stuck = new StuckAgents({
    ari,
    liveAgents: live.agents,
    agents: service,
    holdsCall: async (id) => d.calls.get().holds(id) || (await live.sessions.get(id)) !== undefined,
    now: () => Date.now(),
    log,
    graceMs: 30_000,
  });
  ariRouter.on(['DeviceStateChanged'], onDeviceState(service, log));
  let timers: Array<{ stop: () => void }> = [];
  return {
    service,
    outcomes,
    featureCodes,
    stuck,
    routes: [agentRoutes({ agents: service })],
    start() {
      timers = [
        every(1000, () => outcomes.endDueWrapUps(), log, 'wrap-up sweep'),
        // One instance at a time: the lease outlasts two missed runs before another takes it.
        every(15_000, () => leases.runIfHeld('stuck-agents', 40_000, () => stuck.repair()), log, 'stuck-agent check'),
        // Several nodes: agents saved through the other instances reach this node's Asterisk within this.
        ...(config.ASTERISK_NODE
          ? [every(3000, () => (ariEvents.connected ? service.syncNodePhones() : Promise.resolve()), log, 'node phones')]
          : []),
      ];
    },
    halt: () => timers.forEach((t) => t.stop()),
    stop: () => outcomes.stop(),
  };
}
