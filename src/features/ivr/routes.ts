import type { FastifyPluginAsync } from 'fastify';
import type { IvrCatalog } from './catalog.js';
import { configVersionRoutes } from '../versioned-config/routes.js';

/**
 * /api/ivr: IVR menus. Calls already in the IVR keep the version they started on; new calls
 * take the active one. The API is the generic versioned-configuration one (its TypeBox schemas
 * are in versioned-config/routes.ts).
 */
export function ivrRoutes(d: { catalog: Pick<IvrCatalog, 'versions'> }): FastifyPluginAsync {
  return configVersionRoutes('/api/ivr', 'IVR definition', d.catalog.versions);
}
