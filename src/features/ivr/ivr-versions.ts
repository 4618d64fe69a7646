import type pg from 'pg';
import type { IvrDefinition } from '../../core/ivr/definition.js';
import { PgVersionStore } from '../versioned-config/version-store.js';

/** IVR versions and their activations (migrations/002); the name column is the definition's name. */
export function pgIvrVersions(pool: pg.Pool): PgVersionStore<IvrDefinition> {
  return new PgVersionStore<IvrDefinition>(pool, {
    versions: 'ivr_versions',
    activations: 'ivr_activations',
    document: 'definition',
    name: { column: 'name', of: (def) => def.name },
  });
}
