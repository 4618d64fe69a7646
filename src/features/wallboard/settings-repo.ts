import type pg from 'pg';

/** The wallboard's shared settings in Postgres (migrations/010_wallboard_settings.sql), one JSON value per name. */
export class PgWallboardSettings {
  constructor(private readonly pool: pg.Pool) {}

  async get(name: string): Promise<unknown> {
    const r = await this.pool.query<{ value: unknown }>('SELECT value FROM wallboard_settings WHERE name = $1', [name]);
    return r.rows[0]?.value;
  }

  async put(name: string, value: unknown, by: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO wallboard_settings (name, value, updated_at, updated_by) VALUES ($1, $2, now(), $3)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
      [name, JSON.stringify(value), by],
    );
  }
}
