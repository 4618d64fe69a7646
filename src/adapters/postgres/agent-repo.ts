import type pg from 'pg';

export interface AgentRecord {
  agentId: string;
  name: string;
  sipMd5: string;
}

export class PgAgentRepo {
  constructor(private readonly pool: pg.Pool) {}

  async upsert(a: AgentRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO agents (agent_id, name, sip_md5) VALUES ($1, $2, $3)
       ON CONFLICT (agent_id) DO UPDATE SET name = EXCLUDED.name, sip_md5 = EXCLUDED.sip_md5, updated_at = now()`,
      [a.agentId, a.name, a.sipMd5],
    );
  }

  async list(): Promise<AgentRecord[]> {
    const r = await this.pool.query<{ agent_id: string; name: string; sip_md5: string }>(
      'SELECT agent_id, name, sip_md5 FROM agents ORDER BY agent_id',
    );
    return r.rows.map((x) => ({ agentId: x.agent_id, name: x.name, sipMd5: x.sip_md5 }));
  }
}
