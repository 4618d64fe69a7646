import type { FastifyPluginAsync } from 'fastify';
import type { RoutingCatalog } from './catalog.js';
import { configVersionRoutes } from '../versioned-config/routes.js';

/**
 * /api/routing: skills, queues and routing rules. The active version applies to calls already
 * waiting. The API is the generic versioned-configuration one (its TypeBox schemas are in
 * versioned-config/routes.ts).
 */
export function routingRoutes(d: { catalog: Pick<RoutingCatalog, 'versions'> }): FastifyPluginAsync {
  return configVersionRoutes('/api/routing', 'routing configuration', d.catalog.versions);
}
