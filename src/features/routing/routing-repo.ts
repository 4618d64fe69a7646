import type pg from 'pg';
import type { RoutingConfig } from '../../core/routing/config.js';

/** Routing configuration versions and activations (same shape as the IVR's). */
export class PgRoutingRepo {
  constructor(private readonly pool: pg.Pool) {}

  async insert(config: RoutingConfig, by: string, comment?: string): Promise<number> {
    const r = await this.pool.query<{ version: number }>(
      'INSERT INTO routing_versions (config, created_by, comment) VALUES ($1, $2, $3) RETURNING version',
      [JSON.stringify(config), by, comment ?? null],
    );
    return r.rows[0]!.version;
  }

  async get(version: number): Promise<RoutingConfig | undefined> {
    const r = await this.pool.query<{ config: RoutingConfig }>('SELECT config FROM routing_versions WHERE version = $1', [version]);
    return r.rows[0]?.config;
  }

  async list(): Promise<Array<{ version: number; createdAt: string; createdBy: string; comment: string | null }>> {
    const r = await this.pool.query<{ version: number; created_at: Date; created_by: string; comment: string | null }>(
      'SELECT version, created_at, created_by, comment FROM routing_versions ORDER BY version',
    );
    return r.rows.map((x) => ({ version: x.version, createdAt: x.created_at.toISOString(), createdBy: x.created_by, comment: x.comment }));
  }

  async active(): Promise<number | undefined> {
    const r = await this.pool.query<{ version: number }>('SELECT version FROM routing_activations ORDER BY seq DESC LIMIT 1');
    return r.rows[0]?.version;
  }

  async previous(): Promise<number | undefined> {
    const r = await this.pool.query<{ version: number }>(
      `SELECT version FROM routing_activations
        WHERE version <> (SELECT version FROM routing_activations ORDER BY seq DESC LIMIT 1)
        ORDER BY seq DESC LIMIT 1`,
    );
    return r.rows[0]?.version;
  }

  async activate(version: number, by: string, reason: 'first_start' | 'activate' | 'rollback'): Promise<void> {
    await this.pool.query('INSERT INTO routing_activations (version, activated_by, reason) VALUES ($1, $2, $3)', [version, by, reason]);
  }

  /** The agent who answered this caller's most recent call within the window, if any. */
  /**
   * Per caller, the agent of their last answered call started within the last `sinceMs`, and
   * when: one page of `limit` callers after `after` (callers in order), so a busy day is read in pieces.
   */
  async lastAgents(sinceMs: number, after = '', limit = 5000): Promise<Array<{ caller: string; agentId: string; at: number }>> {
    const r = await this.pool.query<{ caller: string; agent_id: string; at: string }>(
      `SELECT DISTINCT ON (caller) caller, agent_id, extract(epoch FROM started_at) * 1000 AS at FROM calls
        WHERE outcome = 'answered' AND agent_id IS NOT NULL AND caller <> 'anonymous' AND caller > $2
          AND started_at > now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY caller, started_at DESC LIMIT $3`,
      [sinceMs, after, limit],
    );
    return r.rows.map((x) => ({ caller: x.caller, agentId: x.agent_id, at: Number(x.at) }));
  }
}
