import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { AgentsFeature } from '../agents/index.js';
import type { CallbacksFeature } from '../callbacks/index.js';
import type { EventsFeature } from '../events/index.js';
import type { OutboundFeature } from '../outbound/index.js';
import type { RecordingsFeature } from '../recordings/index.js';
import type { SupervisionFeature } from '../supervision/index.js';
import type { RoutingFeature } from '../routing/index.js';
import type { ConfigsFeature } from '../versioned-config/index.js';
import { CALL_EVENTS, CallService } from './call-service.js';
import { MoveArrivals } from './move-arrivals.js';

export interface CallsFeature extends Feature {
  service: CallService;
  /** Moved channels arriving in our app (a takeover waits for them). */
  moveArrivals: MoveArrivals;
}

/** Taxpayer calls: the Stasis handlers, queued through the dispatcher. */
export function registerCalls(
  { config, ari, ariRouter, live, ctx, log }: Infrastructure,
  d: {
    events: EventsFeature;
    configs: ConfigsFeature;
    agents: AgentsFeature;
    callbacks: CallbacksFeature;
    routing: RoutingFeature;
    outbound: OutboundFeature;
    recordings: RecordingsFeature;
    supervision: SupervisionFeature;
  },
): CallsFeature {
  const windowMs = config.PREFERRED_AGENT_WITHIN_H * 3_600_000;
  const moveArrivals = new MoveArrivals();
  const service = new CallService({
    ari,
    sessions: live.sessions,
    queues: live.queues,
    agents: d.agents.service,
    ivr: d.configs.ivr,
    routing: d.configs.routing,
    outcomes: d.agents.outcomes,
    callbacks: d.callbacks.service,
    mayCallBack: (caller) => d.outbound.guard.mayCallBack(caller),
    mayDial: (number) => d.outbound.guard.decide(number),
    owner: config.INSTANCE_ID,
    publish: d.events.publish,
    ctx,
    log,
    // Read on every incoming call, so from Redis (live state), not a Postgres query. Redis down
    // must not stop calls: the preferred agent is a nicety.
    lastAgentFor: (caller) =>
      live.callers.lastAgent(caller).catch((err: Error) => {
        log.warn({ err: err.message }, 'preferred-agent lookup failed');
        return undefined;
      }),
    rememberAgentFor: async (caller, agentId) => {
      if (windowMs > 0) await live.callers.remember(caller, agentId, windowMs);
    },
    shortAbandonMs: config.SHORT_ABANDON_S * 1000,
    announceEveryS: config.ANNOUNCE_EVERY_S,
    firstAnnounceS: config.ANNOUNCE_FIRST_S,
    servingAgents: (queue) => d.routing.mirror.serving(queue),
    avgHandleS: config.AVG_HANDLE_S,
    lang: config.PROMPT_LANG,
    queue: d.routing.dispatcher,
    recordings: d.recordings.service,
    onOtherStasisStart: (ch, args) => {
      if (!d.supervision.service.onStasisStart(ch, args)) void d.agents.featureCodes.handle(ch, args);
    },
    onOtherChannelGone: (channelId) => void d.supervision.service.onChannelGone(channelId),
    moveArrivals,
  });
  ariRouter.on(CALL_EVENTS, (ev) => service.onAriEvent(ev));
  return {
    service,
    moveArrivals,
    // Calls this instance held before a restart, from their snapshots in Redis.
    async start() {
      await service.restore();
    },
    stop: () => service.idle(),
  };
}
