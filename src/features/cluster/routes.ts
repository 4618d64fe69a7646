import { Type, type Static } from '@sinclair/typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import type { Member } from './membership.js';

const Instance = Type.Object({
  instance: Type.String(),
  app: Type.String({ description: 'its Stasis app (the dialplan sends new calls to the live ones)' }),
  node: Type.String({ description: 'the Asterisk it drives (ARI host:port)' }),
  startedAt: Type.String({ format: 'date-time' }),
  lastBeatAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'its last heartbeat' }),
  alive: Type.Boolean({ description: 'its liveness lease is held; a dead one is taken over within seconds' }),
  calls: Type.Integer({ description: 'calls its sessions hold' }),
});
const ClusterReply = Type.Object({
  self: Type.String({ description: 'the instance that answered' }),
  leases: Type.Array(Type.String(), { description: 'singleton jobs the answering instance holds' }),
  instances: Type.Array(Instance),
});

/** GET /api/cluster: the service instances sharing this Redis, for the wallboard and operations. */
export function clusterRoutes(d: { self: string; members: () => Promise<Member[]>; leases: () => string[] }): TypedPlugin {
  return async (app) => {
    strictValidation(app);
    app.get(
      '/api/cluster',
      {
        schema: {
          tags: ['cluster'],
          summary: 'Service instances: heartbeat, calls held, Stasis app, Asterisk node',
          response: { 200: ClusterReply },
        },
      },
      async (): Promise<Static<typeof ClusterReply>> => ({
        self: d.self,
        leases: d.leases(),
        instances: (await d.members()).map((m) => ({
          instance: m.instance,
          app: m.app,
          node: m.node,
          startedAt: new Date(m.startedAt).toISOString(),
          lastBeatAt: m.lastBeatAt === null ? null : new Date(m.lastBeatAt).toISOString(),
          alive: m.alive,
          calls: m.calls,
        })),
      }),
    );
  };
}
