import type { Infrastructure } from './infrastructure.js';
import { AsteriskSync } from '../features/agents/asterisk-sync.js';
import type { AgentsFeature } from '../features/agents/index.js';
import type { CallsFeature } from '../features/calls/index.js';
import type { RoutingFeature } from '../features/routing/index.js';
import type { ConfigsFeature } from '../features/versioned-config/index.js';

/** After every connection of ARI's event stream, Asterisk brought up to date (asterisk-sync.ts). */
export function registerAsteriskSync(
  { config, ari, ariEvents, ariRouter, redis, keys, log }: Infrastructure,
  d: { agents: AgentsFeature; calls: CallsFeature; configs: ConfigsFeature; routing: RoutingFeature },
): AsteriskSync {
  return new AsteriskSync({
    stream: ariEvents,
    ari,
    eventTypes: () => ariRouter.types(),
    agents: d.agents.service,
    calls: d.calls.service,
    ...(config.TEST_AGENT_PASSWORD ? { testAgent: { id: config.TEST_AGENT_ID, password: config.TEST_AGENT_PASSWORD } } : {}),
    activeRouting: () => d.configs.routing.active(),
    kick: () => d.routing.dispatcher.kick(),
    // Several nodes: this node's agents are unreachable the moment its ARI goes (one node, as before:
    // registrations are re-read at the reconnection).
    ...(config.ASTERISK_NODE ? { nodeLost: () => d.agents.service.nodeLost() } : {}),
    lostAfterMs: config.ASTERISK_LOST_AFTER_MS,
    lastStart: {
      read: async () => (await redis.hget(keys.asteriskStarted, config.INSTANCE_ID)) ?? undefined,
      write: async (startedAt) => void (await redis.hset(keys.asteriskStarted, config.INSTANCE_ID, startedAt)),
    },
    log,
  });
}
