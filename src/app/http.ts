import type { FastifyInstance } from 'fastify';
import type { AuthDeps } from '../http/auth.js';
import { buildHttp } from '../http/app.js';
import type { Feature } from './feature.js';
import type { Infrastructure } from './infrastructure.js';

/** The HTTP API with every feature's routes, in the order given, listening; stop() closes it. */
export async function serveHttp(
  { config, log, probes }: Infrastructure,
  d: { auth: AuthDeps; features: readonly Feature[] },
): Promise<Feature & { url: string; app: FastifyInstance }> {
  const app = await buildHttp({
    log,
    auth: d.auth,
    probes,
    trustProxy: config.TRUST_PROXY,
    api: d.features.flatMap((f) => f.routes ?? []),
  });
  const url = await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  return {
    url,
    app,
    // A client that never lets go of its socket (a half-done WebSocket upgrade) must not hold up shutdown.
    stop: () => Promise.race([app.close(), new Promise<void>((r) => setTimeout(r, 3000).unref())]).then(() => undefined),
  };
}
