import path from 'node:path';
import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { PromptSynth } from '../../adapters/prompts/synth.js';
import { ensureSystemPrompts } from '../ivr/system-prompts.js';
import { pgIvrVersions } from '../ivr/ivr-versions.js';
import { IvrCatalog } from '../ivr/catalog.js';
import { IvrValidationThread } from '../ivr/validate-thread.js';
import { ivrRoutes } from '../ivr/routes.js';
import { PromptPreview } from '../ivr/prompt-preview.js';
import { promptPreviewRoutes } from '../ivr/preview-routes.js';
import { PgRoutingRepo } from '../routing/routing-repo.js';
import { RoutingCatalog } from '../routing/catalog.js';
import { pgRoutingVersions } from '../routing/routing-versions.js';
import { RedisActivePointer } from './active-pointer.js';
import { ConfigWatch } from './config-watch.js';
import { routingRoutes } from '../routing/routes.js';
import { PgAgentRepo } from '../agents/agent-repo.js';
import { ConfigLock } from './config-lock.js';
import type { OutboundFeature } from '../outbound/index.js';

export interface ConfigsFeature extends Feature {
  routing: RoutingCatalog;
  routingRepo: PgRoutingRepo;
  ivr: IvrCatalog;
}

/**
 * The versioned configurations: routing rules and the IVR tree. The shipped versions are stored
 * and activated on a first start; the system prompts are made if missing.
 */
export async function registerVersionedConfig(
  { config, pool, redis, keys, log, root }: Infrastructure,
  { outbound }: { outbound: OutboundFeature },
): Promise<ConfigsFeature> {
  const synth = new PromptSynth({
    soundsDir: config.SOUNDS_DIR,
    recordedDir: path.join(root, 'prompts', 'recorded'),
    ttsRoot: config.TTS_ROOT,
  });
  await ensureSystemPrompts(synth, root, log);
  // Each side is checked against the other's active version (core/config/cross-check.ts), so
  // routing comes first: the shipped IVR tree is checked against it on a first start.
  const routingRepo = new PgRoutingRepo(pool);
  // Who is active, for the agents a routing version leaves behind.
  const agentRepo = new PgAgentRepo(pool);
  const activeIvr = async () => {
    const version = await ivr.activeVersion();
    return { version, def: await ivr.definition(version) };
  };
  // Its own connection: a subscribed Redis connection can do nothing else. Not awaited when Redis
  // is slow to answer: until subscribed, the active versions are simply read from Redis each time.
  const watch = new ConfigWatch(redis.duplicate(), keys.configChanged);
  await watch
    .start()
    .catch((err: Error) => log.warn({ err: err.message }, 'config watch not subscribed: active versions read from Redis each time'));
  const configLock = new ConfigLock(pool);
  const serialize = <T>(change: () => Promise<T>) => configLock.run(change);
  const routing: RoutingCatalog = new RoutingCatalog({
    store: pgRoutingVersions(pool),
    pointer: new RedisActivePointer(redis, keys.routingActive, watch),
    log,
    activeIvr,
    serialize,
    agents: async () => (await agentRepo.list()).filter((a) => a.active),
  });
  // An upload's checks off the thread that serves calls.
  const validation = new IvrValidationThread(log);
  const ivr: IvrCatalog = new IvrCatalog({
    store: pgIvrVersions(pool),
    pointer: new RedisActivePointer(redis, keys.ivrActive, watch),
    synth,
    log,
    activeRouting: () => routing.active(),
    serialize,
    mayDial: (number) => outbound.guard.decide(number),
    validate: (input) => validation.validate(input),
  });
  // Instances starting together for the first time would each store and activate the shipped versions.
  await serialize(async () => {
    await routing.init(path.join(root, 'routing', '12366.yaml'));
    await ivr.init(path.join(root, 'ivr', '12366.yaml'));
  });
  return {
    routing,
    routingRepo,
    ivr,
    stop: async () => {
      await watch.stop();
      await validation.close();
    },
    routes: [
      ivrRoutes({ catalog: ivr }),
      routingRoutes({ catalog: routing }),
      // The same synthesizer as the IVR's prompts, so ops hear what callers will.
      promptPreviewRoutes({ preview: new PromptPreview({ synth }) }),
    ],
  };
}
