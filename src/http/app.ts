import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { healthRoutes, type HealthProbe } from './health.js';
import { authPlugin, type AuthDeps } from './auth.js';
import { registerOpenApi } from './openapi.js';
import type { TypedPlugin } from './typed-plugin.js';

/** Largest frame a WebSocket client may send (they send nothing the service reads). */
export const WS_MAX_PAYLOAD = 4096;

export interface HttpDeps {
  log: Logger;
  auth: AuthDeps;
  probes: HealthProbe[];
  /** Authenticated API routes, registered after the auth hook (a plain FastifyPluginAsync fits too). */
  api: TypedPlugin[];
  /**
   * The TLS proxies in front (config TRUST_PROXY, comma-separated addresses/CIDRs): a request from
   * one of them is attributed to the address in its X-Forwarded-For. Empty or absent: none.
   */
  trustProxy?: string;
}

/** TRUST_PROXY as Fastify takes it: a list of addresses/CIDRs, or false for none (never `true`, which would trust anyone). */
export function trustedProxies(list: string | undefined): string[] | false {
  const proxies = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return proxies.length ? proxies : false;
}

/** The HTTP API as one Fastify instance; routes are plugins with schemas. */
export async function buildHttp(d: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: d.log.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    // Shutdown must not wait for keep-alive clients or wallboards' WebSockets.
    forceCloseConnections: true,
    trustProxy: trustedProxies(d.trustProxy),
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) req.log.error({ err }, 'request failed');
    // 5xx details stay in the log; clients get a plain message.
    // Schema errors name the field: "body/nodes/vat must have required property 'queue'".
    const message = err.validation
      ? `${err.validationContext ?? 'request'}${err.message.replace(/^(body|querystring|params)/, '')}`
      : err.message;
    reply.code(status).send({ error: status >= 500 ? 'internal error' : message, code: err.code });
  });
  await registerOpenApi(app);
  await app.register(healthRoutes(d.probes, { auth: d.auth }));
  await app.register(authPlugin(d.auth));
  // Once for the whole app: each registration would route every upgrade again. Clients of the
  // WebSocket routes (/api/live, /api/agents/:id/live) only listen, so a large frame is refused outright.
  await app.register(websocket, { options: { maxPayload: WS_MAX_PAYLOAD } });
  // Handlers get body, params and querystring typed from their TypeBox schemas.
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const routes of d.api) await typed.register(routes);
  return app;
}
