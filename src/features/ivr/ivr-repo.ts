import type pg from 'pg';
import type { IvrDefinition } from '../../core/ivr/definition.js';

export interface IvrVersionRow {
  version: number;
  name: string;
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

/** IVR versions and their activations. Versions are immutable once stored. */
export class PgIvrRepo {
  constructor(private readonly pool: pg.Pool) {}

  async insert(def: IvrDefinition, by: string, comment?: string): Promise<number> {
    const r = await this.pool.query<{ version: number }>(
      'INSERT INTO ivr_versions (name, definition, created_by, comment) VALUES ($1, $2, $3, $4) RETURNING version',
      [def.name, JSON.stringify(def), by, comment ?? null],
    );
    return r.rows[0]!.version;
  }

  async list(): Promise<IvrVersionRow[]> {
    const r = await this.pool.query<{ version: number; name: string; created_at: Date; created_by: string; comment: string | null }>(
      'SELECT version, name, created_at, created_by, comment FROM ivr_versions ORDER BY version',
    );
    return r.rows.map((x) => ({ version: x.version, name: x.name, createdAt: x.created_at.toISOString(), createdBy: x.created_by, comment: x.comment }));
  }

  async get(version: number): Promise<IvrDefinition | undefined> {
    const r = await this.pool.query<{ definition: IvrDefinition }>('SELECT definition FROM ivr_versions WHERE version = $1', [version]);
    return r.rows[0]?.definition;
  }

  async active(): Promise<number | undefined> {
    const r = await this.pool.query<{ version: number }>('SELECT version FROM ivr_activations ORDER BY seq DESC LIMIT 1');
    return r.rows[0]?.version;
  }

  /** The version that was active before the current one, for rollback. */
  async previous(): Promise<number | undefined> {
    const r = await this.pool.query<{ version: number }>(
      `SELECT version FROM ivr_activations
        WHERE version <> (SELECT version FROM ivr_activations ORDER BY seq DESC LIMIT 1)
        ORDER BY seq DESC LIMIT 1`,
    );
    return r.rows[0]?.version;
  }

  async activate(version: number, by: string, reason: 'first_start' | 'activate' | 'rollback'): Promise<void> {
    await this.pool.query('INSERT INTO ivr_activations (version, activated_by, reason) VALUES ($1, $2, $3)', [version, by, reason]);
  }
}
