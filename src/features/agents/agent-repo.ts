import type pg from 'pg';

export interface AgentRecord {
  agentId: string;
  name: string;
  sipMd5: string;
  /** Skill -> proficiency 1..5. */
  skills: Record<string, number>;
  /** Queues this agent serves. */
  queues: string[];
  /** False once deleted (kept for history). */
  active: boolean;
}

/** What a save changes; `sipMd5`, `skills` and `queues` left out keep their stored values. */
export interface AgentUpsert {
  agentId: string;
  name: string;
  sipMd5?: string;
  skills?: Record<string, number>;
  queues?: string[];
}

export interface PauseReason {
  code: string;
  zh: string;
  en: string;
  builtin: boolean;
  createdAt: string;
}

/** One stored agent.state_changed event, as the timeline shows it. */
export interface AgentTimelineEntry {
  id: string;
  at: string;
  from: string;
  to: string;
  reason?: string;
  via?: string;
  pauseReason?: string;
  callId?: string;
}

interface AgentRow {
  agent_id: string;
  name: string;
  sip_md5: string;
  skills: Record<string, number>;
  queues: string[];
  active: boolean;
}

const COLUMNS = 'agent_id, name, sip_md5, skills, queues, active';

const toRecord = (x: AgentRow): AgentRecord => ({
  agentId: x.agent_id,
  name: x.name,
  sipMd5: x.sip_md5,
  skills: x.skills ?? {},
  queues: x.queues ?? [],
  active: x.active,
});

export interface LastState {
  state: string;
  at: number;
  callId?: string;
  pauseReason?: string;
}

export class PgAgentRepo {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Creates or updates an agent and (re)activates it. Without a digest only an active agent
   * can be updated (a new or deleted one needs a password): returns undefined then.
   */
  async upsert(a: AgentUpsert): Promise<{ agent: AgentRecord; created: boolean } | undefined> {
    const skills = a.skills === undefined ? null : JSON.stringify(a.skills);
    const queues = a.queues ?? null;
    if (a.sipMd5 === undefined) {
      const r = await this.pool.query<AgentRow>(
        `UPDATE agents SET name = $2, skills = COALESCE($3::jsonb, skills), queues = COALESCE($4::text[], queues), updated_at = now()
         WHERE agent_id = $1 AND active RETURNING ${COLUMNS}`,
        [a.agentId, a.name, skills, queues],
      );
      return r.rows[0] ? { agent: toRecord(r.rows[0]), created: false } : undefined;
    }
    // A deleted agent saved again counts as created: it comes back as a new phone.
    const r = await this.pool.query<AgentRow & { created: boolean }>(
      `WITH before AS (SELECT active FROM agents WHERE agent_id = $1)
       INSERT INTO agents (agent_id, name, sip_md5, skills, queues, active)
       VALUES ($1, $2, $3, COALESCE($4::jsonb, '{}'), COALESCE($5::text[], '{}'), true)
       ON CONFLICT (agent_id) DO UPDATE SET name = EXCLUDED.name, sip_md5 = EXCLUDED.sip_md5,
         skills = COALESCE($4::jsonb, agents.skills), queues = COALESCE($5::text[], agents.queues),
         active = true, updated_at = now()
       RETURNING ${COLUMNS}, NOT COALESCE((SELECT active FROM before), false) AS created`,
      [a.agentId, a.name, a.sipMd5, skills, queues],
    );
    const row = r.rows[0]!;
    return { agent: toRecord(row), created: row.created };
  }

  /** An active agent, or undefined. */
  async get(agentId: string): Promise<AgentRecord | undefined> {
    const r = await this.pool.query<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE agent_id = $1 AND active`, [agentId]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  /** Active agents, by id. */
  async list(): Promise<AgentRecord[]> {
    const r = await this.pool.query<AgentRow>(`SELECT ${COLUMNS} FROM agents WHERE active ORDER BY agent_id`);
    return r.rows.map(toRecord);
  }

  /** Soft delete; false if there was no active agent with this id. */
  async deactivate(agentId: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE agents SET active = false, updated_at = now() WHERE agent_id = $1 AND active', [agentId]);
    return (r.rowCount ?? 0) > 0;
  }

  async pauseReasons(): Promise<PauseReason[]> {
    const r = await this.pool.query<{ code: string; zh: string; en: string; builtin: boolean; created_at: Date }>(
      'SELECT code, zh, en, builtin, created_at FROM pause_reasons WHERE retired_at IS NULL ORDER BY builtin DESC, created_at, code',
    );
    return r.rows.map((x) => ({ code: x.code, zh: x.zh, en: x.en, builtin: x.builtin, createdAt: x.created_at.toISOString() }));
  }

  async pauseReasonExists(code: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM pause_reasons WHERE code = $1 AND retired_at IS NULL', [code]);
    return (r.rowCount ?? 0) > 0;
  }

  /** New wording for a reason in use; undefined if there is no such reason. */
  async renamePauseReason(code: string, p: { zh?: string; en?: string }): Promise<PauseReason | undefined> {
    const r = await this.pool.query<{ code: string; zh: string; en: string; builtin: boolean; created_at: Date }>(
      `UPDATE pause_reasons SET zh = COALESCE($2, zh), en = COALESCE($3, en) WHERE code = $1 AND retired_at IS NULL
       RETURNING code, zh, en, builtin, created_at`,
      [code, p.zh ?? null, p.en ?? null],
    );
    const x = r.rows[0];
    return x ? { code: x.code, zh: x.zh, en: x.en, builtin: x.builtin, createdAt: x.created_at.toISOString() } : undefined;
  }

  /** Retires an ops-defined reason (built-in ones have phone codes and system uses). */
  async retirePauseReason(code: string): Promise<'retired' | 'builtin' | 'unknown'> {
    const r = await this.pool.query<{ builtin: boolean }>(
      `UPDATE pause_reasons SET retired_at = now() WHERE code = $1 AND retired_at IS NULL AND NOT builtin RETURNING builtin`,
      [code],
    );
    if (r.rowCount) return 'retired';
    const b = await this.pool.query<{ builtin: boolean }>('SELECT builtin FROM pause_reasons WHERE code = $1 AND retired_at IS NULL', [
      code,
    ]);
    return b.rows[0]?.builtin ? 'builtin' : 'unknown';
  }

  /** Adds an ops-defined reason; undefined if the code is taken. */
  async addPauseReason(p: { code: string; zh: string; en: string }): Promise<PauseReason | undefined> {
    const r = await this.pool.query<{ code: string; zh: string; en: string; builtin: boolean; created_at: Date }>(
      `INSERT INTO pause_reasons (code, zh, en, builtin) VALUES ($1, $2, $3, false)
       ON CONFLICT (code) DO NOTHING RETURNING code, zh, en, builtin, created_at`,
      [p.code, p.zh, p.en],
    );
    const x = r.rows[0];
    return x ? { code: x.code, zh: x.zh, en: x.en, builtin: x.builtin, createdAt: x.created_at.toISOString() } : undefined;
  }

  /** Each agent's state as history last recorded it (agents with no state change are left out). */
  async lastStates(agentIds: string[]): Promise<Map<string, LastState>> {
    const r = await this.pool.query<{ agent_id: string; body: Record<string, unknown>; at: Date }>(
      `SELECT a.agent_id, e.body, e.at FROM unnest($1::text[]) AS a(agent_id)
       CROSS JOIN LATERAL (
         SELECT body, at FROM events
         WHERE agent_id = a.agent_id AND type = 'agent.state_changed' ORDER BY at DESC, seq DESC LIMIT 1) e`,
      [agentIds],
    );
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    return new Map(
      r.rows.map((x) => [
        x.agent_id,
        {
          state: String(x.body.to),
          at: x.at.getTime(),
          callId: text(x.body.callId),
          pauseReason: text(x.body.pauseReason),
        },
      ]),
    );
  }

  /** The agent's state changes in the order they were stored, optionally within [from, to). */
  async timeline(agentId: string, range: { from?: Date; to?: Date; limit: number }): Promise<AgentTimelineEntry[]> {
    const r = await this.pool.query<{ body: Record<string, unknown> }>(
      `SELECT body FROM events
       WHERE agent_id = $1 AND type = 'agent.state_changed'
         AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       ORDER BY seq LIMIT $4`,
      [agentId, range.from ?? null, range.to ?? null, range.limit],
    );
    return r.rows.map(({ body: b }) => {
      const e: AgentTimelineEntry = { id: String(b.id), at: String(b.at), from: String(b.from), to: String(b.to) };
      for (const k of ['reason', 'via', 'pauseReason', 'callId'] as const) if (typeof b[k] === 'string' && b[k]) e[k] = b[k] as string;
      return e;
    });
  }
}
