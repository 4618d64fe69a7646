import type { FastifyPluginAsync } from 'fastify';
import type { IvrCatalog } from '../../services/ivr/catalog.js';
import type { PgIvrRepo } from '../../adapters/postgres/ivr-repo.js';
import { configVersionRoutes } from './config-versions.js';

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
