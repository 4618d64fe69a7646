import { SharedRead } from '../../shared/shared-read.js';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { Port } from '../../shared/late.js';
import { AgentMirror } from '../agents/agent-mirror.js';
import type { CallbacksFeature } from '../callbacks/index.js';
import type { ConfigsFeature } from '../versioned-config/index.js';
import type { CallDelivery } from './call-delivery.js';
import { Dispatcher } from './dispatcher.js';
import { PreferredSeed } from './preferred-seed.js';
import { simulateRoutes } from './simulate-routes.js';
import { RoutingSimulator } from './simulator.js';

export interface RoutingFeature extends Feature {
  /** This instance's copy of every agent, for routing, the expected wait and wallboards. */
  mirror: AgentMirror;
  dispatcher: Dispatcher;
  /** The preferred agents loaded from history: started first and awaited last, so a feature of its own. */
  preferred: Feature;
  reloadPreferred: () => void;
}

/**
 * Matching waiting calls with agents. The dispatcher hands agents to calls, which are built after
 * it (they queue through it): it reaches them through `calls`, bound once they exist.
 */
export function registerRouting(
  { config, redis, keys, live, ariEvents, log }: Infrastructure,
  { configs, callbacks, calls }: { configs: ConfigsFeature; callbacks: CallbacksFeature; calls: Port<CallDelivery> },
): RoutingFeature {
  const mirror = new AgentMirror({ liveAgents: live.agents, now: () => Date.now(), log });
  // The cluster's registered instances (features/cluster/membership.ts), read at most once a second.
  const owners = new SharedRead(
    async () => new Set(await redis.hkeys(keys.instances)),
    1000,
    () => Date.now(),
  );
  const dispatcher = new Dispatcher({
    queues: live.queues,
    liveAgents: live.agents,
    agents: mirror,
    routing: configs.routing,
    owner: config.INSTANCE_ID,
    owners: () => owners.get(),
    now: () => Date.now(),
    log,
    deliver: (c, a) => calls.get().deliverAgent(c, a),
    expire: (c, action) => calls.get().expire(c, action),
    callBack: (entry) => callbacks.service.dial(entry),
    mediaUp: () => ariEvents.connected,
  });
  const seed = new PreferredSeed({
    windowMs: config.PREFERRED_AGENT_WITHIN_H * 3_600_000,
    repo: configs.routingRepo,
    callers: live.callers,
    now: () => Date.now(),
    log,
  });
  return {
    mirror,
    dispatcher,
    preferred: { start: () => seed.load(), halt: () => seed.halt(), stop: () => seed.settled() },
    reloadPreferred: () => seed.load(),
    routes: [
      simulateRoutes({
        simulator: new RoutingSimulator({
          ivr: configs.ivr,
          routing: configs.routing,
          agents: () => live.agents.agents(),
          lastAgent: (c) => live.callers.lastAgent(c),
        }),
      }),
    ],
    start: () => dispatcher.start(),
    halt: () => dispatcher.stop(),
  };
}
