import type pg from 'pg';

/** Why a version became active; the activations tables CHECK these three. */
export type ActivationReason = 'first_start' | 'activate' | 'rollback';

export interface VersionInfo {
  version: number;
  /** Only for configurations whose table has a name column (the IVR's). */
  name?: string;
  createdAt: string;
  createdBy: string;
  comment: string | null;
}

/** Immutable versions of one configuration and the log of their activations. */
export interface VersionStore<T> {
  insert(doc: T, by: string, comment?: string): Promise<number>;
  get(version: number): Promise<T | undefined>;
  list(): Promise<VersionInfo[]>;
  /** The latest activation's version. */
  active(): Promise<number | undefined>;
  /** The version that was active before the current one, for rollback. */
  previous(): Promise<number | undefined>;
  activate(version: number, by: string, reason: ActivationReason): Promise<void>;
}

/**
 * The two tables of a versioned configuration, shaped like migrations/002 and 005:
 *   <versions>    (version serial PK, [<name> text,] <document> jsonb, created_at, created_by, comment)
 *   <activations> (seq bigserial PK, version FK, activated_at, activated_by, reason)
 * A new configuration (knowledge base, call-summary tree) adds a migration with these two tables.
 */
export interface VersionTables<T> {
  versions: string;
  activations: string;
  /** The jsonb column holding the document. */
  document: string;
  /** A text column filled from the document and listed with each version (the IVR's name). */
  name?: { column: string; of: (doc: T) => string };
}

// Table and column names are spliced into SQL, so only plain identifiers are accepted; they come
// from code, never from a request, and this keeps it so.
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export class PgVersionStore<T> implements VersionStore<T> {
  private readonly t: VersionTables<T>;

  constructor(
    private readonly pool: pg.Pool,
    tables: VersionTables<T>,
  ) {
    for (const id of [tables.versions, tables.activations, tables.document, tables.name?.column]) {
      if (id !== undefined && !IDENTIFIER.test(id)) throw new Error(`"${id}" is not a plain SQL identifier`);
    }
    this.t = tables;
  }

  async insert(doc: T, by: string, comment?: string): Promise<number> {
    const { versions, document, name } = this.t;
    const r = name
      ? await this.pool.query<{ version: number }>(
          `INSERT INTO ${versions} (${name.column}, ${document}, created_by, comment) VALUES ($1, $2, $3, $4) RETURNING version`,
          [name.of(doc), JSON.stringify(doc), by, comment ?? null],
        )
      : await this.pool.query<{ version: number }>(
          `INSERT INTO ${versions} (${document}, created_by, comment) VALUES ($1, $2, $3) RETURNING version`,
          [JSON.stringify(doc), by, comment ?? null],
        );
    return r.rows[0]!.version;
  }

  async get(version: number): Promise<T | undefined> {
    const r = await this.pool.query<{ doc: T }>(`SELECT ${this.t.document} AS doc FROM ${this.t.versions} WHERE version = $1`, [version]);
    return r.rows[0]?.doc;
  }

  async list(): Promise<VersionInfo[]> {
    const name = this.t.name ? `${this.t.name.column} AS name, ` : '';
    const r = await this.pool.query<{ version: number; name?: string; created_at: Date; created_by: string; comment: string | null }>(
      `SELECT version, ${name}created_at, created_by, comment FROM ${this.t.versions} ORDER BY version`,
    );
    return r.rows.map((x) => ({
      version: x.version,
      ...(this.t.name ? { name: x.name } : {}),
      createdAt: x.created_at.toISOString(),
      createdBy: x.created_by,
      comment: x.comment,
    }));
  }

  async active(): Promise<number | undefined> {
    const r = await this.pool.query<{ version: number }>(`SELECT version FROM ${this.t.activations} ORDER BY seq DESC LIMIT 1`);
    return r.rows[0]?.version;
  }

  async previous(): Promise<number | undefined> {
    const a = this.t.activations;
    const r = await this.pool.query<{ version: number }>(
      `SELECT version FROM ${a}
        WHERE version <> (SELECT version FROM ${a} ORDER BY seq DESC LIMIT 1)
        ORDER BY seq DESC LIMIT 1`,
    );
    return r.rows[0]?.version;
  }

  async activate(version: number, by: string, reason: ActivationReason): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.t.activations} (version, activated_by, reason) VALUES ($1, $2, $3)`, [version, by, reason]);
  }
}
