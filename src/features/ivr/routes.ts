import type { FastifyPluginAsync } from 'fastify';
import type { IvrCatalog } from './catalog.js';
import type { PgIvrRepo } from './ivr-repo.js';
import { configVersionRoutes } from '../versioned-config/routes.js';

/**
 * /api/ivr: IVR menus. Calls already in the IVR keep the version they started on; new calls
 * take the active one.
 */
export function ivrRoutes(d: { catalog: IvrCatalog; repo: PgIvrRepo }): FastifyPluginAsync {
  return configVersionRoutes('/api/ivr', {
    what: 'IVR definition',
    upload: (body, by, comment) => d.catalog.upload(body, by, comment),
    list: () => d.repo.list(),
    get: (v) => d.repo.get(v),
    activeVersion: () => d.catalog.activeVersion(),
    activate: (v, by, reason) => d.catalog.activate(v, by, reason),
    previous: () => d.repo.previous(),
  });
}
