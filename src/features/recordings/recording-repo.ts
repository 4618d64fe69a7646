import type pg from 'pg';

/** A recording as the API shows it. */
export interface RecordingRow {
  id: string;
  callId: string;
  kind: 'mix' | 'caller' | 'agent';
  name: string;
  format: string;
  queue: string;
  agentId: string | null;
  agentName: string | null;
  caller: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  endReason: string | null;
  outcome: string | null;
  retentionDays: number;
  expiresAt: string;
  deletedAt: string | null;
  deletedBy: string | null;
  holds: HoldRow[];
  /** A quality review (features/quality) scored this recording. */
  reviewed: boolean;
}

export interface HoldRow {
  id: string;
  reason: 'complaint' | 'workorder';
  ref: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface RecordingFilter {
  from?: string;
  to?: string;
  caller?: string;
  agentId?: string;
  queue?: string;
  outcome?: string;
  callId?: string;
  kind?: 'mix' | 'caller' | 'agent';
  /** Only this agent's recordings (an agent looking at its own). */
  onlyAgent?: string;
  limit: number;
  /** Keyset: recordings started before this (started_at, id). */
  before?: { at: string; id: string };
}

export interface RetentionCandidate {
  id: string;
  callId: string;
  name: string;
  format: string;
  held: boolean;
}

export interface RetentionRun {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  deleted: number;
  keptOnHold: number;
  failed: number;
  details: unknown;
}

const SELECT = `
  SELECT r.id, r.call_id, r.kind, r.name, r.format, r.queue, r.agent_id, a.name AS agent_name, r.caller,
         r.started_at, r.ended_at, r.duration_ms, r.size_bytes, r.sha256, r.end_reason, c.outcome,
         r.retention_days, r.expires_at, r.deleted_at, r.deleted_by,
         COALESCE((SELECT json_agg(json_build_object('id', h.id, 'reason', h.reason, 'ref', h.ref, 'note', h.note,
                                                    'createdBy', h.created_by, 'createdAt', h.created_at) ORDER BY h.created_at)
                   FROM recording_holds h WHERE h.recording_id = r.id AND h.released_at IS NULL), '[]') AS holds,
         EXISTS (SELECT 1 FROM quality_reviews q WHERE q.recording_id = r.id) AS reviewed
  FROM recordings r
  LEFT JOIN calls c ON c.call_id = r.call_id
  LEFT JOIN agents a ON a.agent_id = r.agent_id`;

/** Recordings, their holds and the retention runs, in Postgres. */
export class PgRecordingRepo {
  constructor(private readonly pool: pg.Pool) {}

  async list(f: RecordingFilter): Promise<RecordingRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (f.from) where.push(`r.started_at >= ${arg(f.from)}`);
    if (f.to) where.push(`r.started_at < ${arg(f.to)}`);
    if (f.caller) where.push(`r.caller LIKE ${arg(likePrefix(f.caller))}`);
    if (f.agentId) where.push(`r.agent_id = ${arg(f.agentId)}`);
    if (f.onlyAgent) where.push(`r.agent_id = ${arg(f.onlyAgent)}`);
    if (f.queue) where.push(`r.queue = ${arg(f.queue)}`);
    if (f.outcome) where.push(`c.outcome = ${arg(f.outcome)}`);
    if (f.callId) where.push(`r.call_id = ${arg(f.callId)}`);
    if (f.kind) where.push(`r.kind = ${arg(f.kind)}`);
    if (f.before) where.push(`(r.started_at, r.id) < (${arg(f.before.at)}::timestamptz, ${arg(f.before.id)})`);
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.started_at DESC, r.id DESC LIMIT ${arg(f.limit)}`;
    const { rows } = await this.pool.query(sql, args);
    return rows.map(toRow);
  }

  async get(id: string): Promise<RecordingRow | undefined> {
    const { rows } = await this.pool.query(`${SELECT} WHERE r.id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async addHold(h: { id: string; recordingId: string; reason: string; ref: string; note: string | null; by: string }): Promise<HoldRow> {
    const { rows } = await this.pool.query(
      `INSERT INTO recording_holds (id, recording_id, reason, ref, note, created_by) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, reason, ref, note, created_by, created_at`,
      [h.id, h.recordingId, h.reason, h.ref, h.note, h.by],
    );
    return toHold(rows[0]);
  }

  /** Releases an active hold; false if there was none by that id on that recording. */
  async releaseHold(recordingId: string, holdId: string, by: string): Promise<HoldRow | undefined> {
    const { rows } = await this.pool.query(
      `UPDATE recording_holds SET released_at = now(), released_by = $3
       WHERE id = $2 AND recording_id = $1 AND released_at IS NULL
       RETURNING id, reason, ref, note, created_by, created_at`,
      [recordingId, holdId, by],
    );
    return rows[0] ? toHold(rows[0]) : undefined;
  }

  /** Finished recordings past their expiry whose file is still there, oldest first; `held`: an active hold keeps it. */
  async expired(now: Date, limit: number): Promise<RetentionCandidate[]> {
    const { rows } = await this.pool.query(
      `SELECT r.id, r.call_id, r.name, r.format,
              EXISTS (SELECT 1 FROM recording_holds h WHERE h.recording_id = r.id AND h.released_at IS NULL) AS held
       FROM recordings r
       WHERE r.deleted_at IS NULL AND r.ended_at IS NOT NULL AND r.expires_at <= $1
       ORDER BY r.expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, callId: r.call_id, name: r.name, format: r.format, held: r.held }));
  }

  /**
   * Marks a recording deleted, unless a hold was put on it since it was picked: the hold is
   * checked in the same statement, so a hold placed while the job runs is never lost.
   */
  async markDeleted(id: string, by: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE recordings r SET deleted_at = now(), deleted_by = $2
       WHERE r.id = $1 AND r.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM recording_holds h WHERE h.recording_id = r.id AND h.released_at IS NULL)`,
      [id, by],
    );
    return rowCount === 1;
  }

  /** The file could not be deleted: the recording is not deleted after all (the next run tries again). */
  async unmarkDeleted(id: string): Promise<void> {
    await this.pool.query(`UPDATE recordings SET deleted_at = NULL, deleted_by = NULL WHERE id = $1`, [id]);
  }

  /** Active holds (checked again right before a file is deleted). */
  async isHeld(id: string): Promise<boolean> {
    const { rows } = await this.pool.query(`SELECT 1 FROM recording_holds WHERE recording_id = $1 AND released_at IS NULL LIMIT 1`, [id]);
    return rows.length > 0;
  }

  /** Recordings never finished although their call ended (the instance that held them stopped). */
  async unfinished(endedBefore: Date, limit: number): Promise<Array<{ id: string; callId: string; name: string }>> {
    const { rows } = await this.pool.query(
      `SELECT r.id, r.call_id, r.name FROM recordings r JOIN calls c ON c.call_id = r.call_id
       WHERE r.ended_at IS NULL AND c.ended_at IS NOT NULL AND c.ended_at < $1
       ORDER BY r.started_at LIMIT $2`,
      [endedBefore, limit],
    );
    return rows.map((r) => ({ id: r.id, callId: r.call_id, name: r.name }));
  }

  async startRun(id: string): Promise<void> {
    await this.pool.query(`INSERT INTO recording_retention_runs (id, started_at) VALUES ($1, now())`, [id]);
  }

  async finishRun(id: string, r: { deleted: number; keptOnHold: number; failed: number; details: unknown[] }): Promise<void> {
    await this.pool.query(
      `UPDATE recording_retention_runs SET finished_at = now(), deleted = $2, kept_on_hold = $3, failed = $4, details = $5 WHERE id = $1`,
      [id, r.deleted, r.keptOnHold, r.failed, JSON.stringify(r.details)],
    );
  }

  async runs(limit: number): Promise<RetentionRun[]> {
    const { rows } = await this.pool.query(
      `SELECT id, started_at, finished_at, deleted, kept_on_hold, failed, details FROM recording_retention_runs
       ORDER BY started_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      startedAt: iso(r.started_at)!,
      finishedAt: iso(r.finished_at),
      deleted: r.deleted,
      keptOnHold: r.kept_on_hold,
      failed: r.failed,
      details: r.details,
    }));
  }
}

/** A LIKE pattern matching numbers that start with `s` (its wildcards taken literally). */
function likePrefix(s: string): string {
  return `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toHold(r: Record<string, unknown>): HoldRow {
  return {
    id: r.id as string,
    reason: r.reason as HoldRow['reason'],
    ref: r.ref as string,
    note: (r.note as string | null) ?? null,
    createdBy: (r.created_by ?? r.createdBy) as string,
    createdAt: new Date((r.created_at ?? r.createdAt) as string).toISOString(),
  };
}

function toRow(r: Record<string, unknown>): RecordingRow {
  return {
    id: r.id as string,
    callId: r.call_id as string,
    kind: r.kind as RecordingRow['kind'],
    name: r.name as string,
    format: r.format as string,
    queue: r.queue as string,
    agentId: (r.agent_id as string | null) ?? null,
    agentName: (r.agent_name as string | null) ?? null,
    caller: r.caller as string,
    startedAt: iso(r.started_at as Date)!,
    endedAt: iso(r.ended_at as Date | null),
    durationMs: (r.duration_ms as number | null) ?? null,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    sha256: (r.sha256 as string | null) ?? null,
    endReason: (r.end_reason as string | null) ?? null,
    outcome: (r.outcome as string | null) ?? null,
    retentionDays: r.retention_days as number,
    expiresAt: iso(r.expires_at as Date)!,
    deletedAt: iso(r.deleted_at as Date | null),
    deletedBy: (r.deleted_by as string | null) ?? null,
    holds: (r.holds as Array<Record<string, unknown>>).map(toHold),
    reviewed: r.reviewed === true,
  };
}
