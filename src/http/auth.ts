import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Every route registered after this plugin requires `Authorization: Bearer <token>`.
 * Accounts and roles replace the single admin token in the ops API work.
 */
export function authPlugin(adminToken: string): FastifyPluginAsync {
  const want = Buffer.from(adminToken);
  return fp(async (app) => {
    app.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/healthz')) return;
      // Browsers cannot set headers on a WebSocket: there the token may come as ?access_token=.
      const fromQuery = req.headers.upgrade ? new URL(req.url, 'http://x').searchParams.get('access_token') : null;
      const got = Buffer.from(fromQuery ?? (req.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (got.length !== want.length || !timingSafeEqual(got, want)) {
        return reply.code(401).send({ error: 'authentication required: Authorization: Bearer <token>' });
      }
    });
  });
}
