import type pg from 'pg';

export interface AuditEntry {
  actor: string;
  actorRole: string;
  via: string;
  /** What was done, e.g. "routing.activate", "agent.pause", "account.create". */
  action: string;
  targetKind: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip?: string;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: string;
}

export interface AuditQuery {
  from?: Date;
  to?: Date;
  actor?: string;
  action?: string;
  targetKind?: string;
  targetId?: string;
  /** Only entries older than this id (paging backwards). */
  beforeId?: string;
  limit: number;
}

/** The audit log: appended to, never changed; read newest first. */
export class PgAuditRepo {
  constructor(private readonly pool: pg.Pool) {}

  async append(e: AuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (actor, actor_role, via, action, target_kind, target_id, before, after, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [e.actor, e.actorRole, e.via, e.action, e.targetKind, e.targetId, json(e.before), json(e.after), e.ip ?? null],
    );
  }

  async query(q: AuditQuery): Promise<AuditRow[]> {
    // Each filter is a fixed condition that is true when its parameter is null: one statement, no SQL built from input.
    const r = await this.pool.query<AuditRow>(
      `SELECT id::text, to_json(at)#>>'{}' AS at, actor, actor_role AS "actorRole", via, action, target_kind AS "targetKind",
              target_id AS "targetId", before, after, ip
       FROM audit_log
       WHERE ($1::timestamptz IS NULL OR at >= $1) AND ($2::timestamptz IS NULL OR at < $2)
         AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4 OR action LIKE $4 || '.%')
         AND ($5::text IS NULL OR target_kind = $5) AND ($6::text IS NULL OR target_id = $6)
         AND ($7::bigint IS NULL OR id < $7)
       -- By the number, not the text the id is sent as ("660" would sort after "3218").
       ORDER BY audit_log.id DESC LIMIT $8`,
      [
        q.from ?? null,
        q.to ?? null,
        q.actor ?? null,
        q.action ?? null,
        q.targetKind ?? null,
        q.targetId ?? null,
        q.beforeId ?? null,
        q.limit,
      ],
    );
    return r.rows.map((x) => ({ ...x, ip: x.ip ?? undefined }));
  }
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}
