import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { InstanceCommands } from '../../adapters/redis/instance-commands.js';
import type { SupervisedCall } from '../../core/supervision/modes.js';
import type { EventsFeature } from '../events/index.js';
import { supervisionRoutes } from './routes.js';
import { SupervisionService } from './supervision-service.js';
import { SupervisionStore } from './supervision-store.js';

export interface SupervisionFeature extends Feature {
  service: SupervisionService;
}

/**
 * Listen / whisper / barge. The calls feature hands this one the StasisStart of supervisors'
 * phones and snoops and the end of their channels (features/calls routes them by role); the call
 * itself is read through `call`, bound once the calls feature exists.
 */
export function registerSupervision(
  { config, ari, redis, keys, ctx, log }: Infrastructure,
  d: { events: EventsFeature; call: (callId: string) => SupervisedCall | undefined; phoneExists: (agentId: string) => Promise<boolean> },
): SupervisionFeature {
  const commands = new InstanceCommands(redis, redis.duplicate(), keys.instanceCommands, config.INSTANCE_ID, log);
  const service = new SupervisionService({
    ari,
    call: d.call,
    phoneExists: d.phoneExists,
    store: new SupervisionStore(redis, keys),
    commands,
    publish: d.events.publish,
    ctx,
    log: log.child({ feature: 'supervision' }),
    instance: config.INSTANCE_ID,
  });
  return {
    service,
    routes: [supervisionRoutes({ supervision: service })],
    start: () => commands.start(),
    async stop() {
      await service.stop();
      await commands.stop();
    },
  };
}
