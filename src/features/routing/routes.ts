import type { FastifyPluginAsync } from 'fastify';
import type { RoutingCatalog } from './catalog.js';
import type { PgRoutingRepo } from './routing-repo.js';
import { configVersionRoutes } from '../versioned-config/routes.js';

/** /api/routing: skills, queues and routing rules. The active version applies to calls already waiting. */
export function routingRoutes(d: { catalog: RoutingCatalog; repo: PgRoutingRepo }): FastifyPluginAsync {
  return configVersionRoutes('/api/routing', {
    what: 'routing configuration',
    upload: (body, by, comment) => d.catalog.upload(body, by, comment),
    list: () => d.repo.list(),
    get: (v) => d.repo.get(v),
    activeVersion: async () => (await d.catalog.active()).version,
    activate: (v, by, reason) => d.catalog.activate(v, by, reason),
    previous: () => d.repo.previous(),
  });
}
