import type pg from 'pg';
import type { RoutingConfig } from '../../core/routing/config.js';
import { PgVersionStore } from '../versioned-config/version-store.js';

/** Routing configuration versions and their activations (migrations/005). */
export function pgRoutingVersions(pool: pg.Pool): PgVersionStore<RoutingConfig> {
  return new PgVersionStore<RoutingConfig>(pool, { versions: 'routing_versions', activations: 'routing_activations', document: 'config' });
}
