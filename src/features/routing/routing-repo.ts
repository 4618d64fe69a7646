import type pg from 'pg';

/** Call history as routing reads it: who answered each caller last, for the preferred-agent rule. */
export class PgRoutingRepo {
  constructor(private readonly pool: pg.Pool) {}

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
