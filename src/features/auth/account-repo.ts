import type pg from 'pg';
import type { Role } from '../../core/auth/access.js';

export interface Account {
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;
  /** A liaison's department (departments.code); null for every other role. */
  department: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const ACCOUNT = `username, display_name AS "displayName", role, agent_id AS "agentId", department, disabled,
  to_json(created_at)#>>'{}' AS "createdAt", to_json(updated_at)#>>'{}' AS "updatedAt"`;
const KEY = `id, name, role, created_by AS "createdBy", to_json(created_at)#>>'{}' AS "createdAt",
  to_json(expires_at)#>>'{}' AS "expiresAt", to_json(revoked_at)#>>'{}' AS "revokedAt", to_json(last_used_at)#>>'{}' AS "lastUsedAt"`;

/** Accounts, their sessions, and API keys. Secrets arrive hashed; nothing here sees a password. */
export class PgAccountRepo {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<Account[]> {
    return (await this.pool.query<Account>(`SELECT ${ACCOUNT} FROM accounts ORDER BY username`)).rows;
  }

  async get(username: string): Promise<Account | undefined> {
    return (await this.pool.query<Account>(`SELECT ${ACCOUNT} FROM accounts WHERE username = $1`, [username])).rows[0];
  }

  /** Whether any enabled admin account exists (the bootstrap token is then refused). */
  async hasAdmin(): Promise<boolean> {
    const r = await this.pool.query("SELECT 1 FROM accounts WHERE role = 'admin' AND NOT disabled LIMIT 1");
    return (r.rowCount ?? 0) > 0;
  }

  /** Replaces a password's hash with a stronger one of the same password, unless it changed meanwhile. */
  async rehash(username: string, old: string, next: string): Promise<void> {
    await this.pool.query('UPDATE accounts SET password_hash = $3 WHERE username = $1 AND password_hash = $2', [username, old, next]);
  }

  async passwordHash(username: string): Promise<{ hash: string; disabled: boolean } | undefined> {
    const r = await this.pool.query<{ hash: string; disabled: boolean }>(
      'SELECT password_hash AS hash, disabled FROM accounts WHERE username = $1',
      [username],
    );
    return r.rows[0];
  }

  /** Undefined when the user name is taken. */
  async create(a: {
    username: string;
    displayName: string;
    role: Role;
    agentId: string | null;
    department: string | null;
    passwordHash: string;
  }): Promise<Account | undefined> {
    const r = await this.pool.query<Account>(
      `INSERT INTO accounts (username, display_name, role, agent_id, department, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (username) DO NOTHING RETURNING ${ACCOUNT}`,
      [a.username, a.displayName, a.role, a.agentId, a.department, a.passwordHash],
    );
    return r.rows[0];
  }

  /** Fields left out keep their value. A new password, a new role or disabling ends the account's sessions. */
  async update(
    username: string,
    p: {
      displayName?: string;
      role?: Role;
      agentId?: string | null;
      department?: string | null;
      passwordHash?: string;
      disabled?: boolean;
    },
  ): Promise<Account | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query<Account>(
        `UPDATE accounts SET display_name = COALESCE($2, display_name), role = COALESCE($3, role),
           agent_id = CASE WHEN $4::boolean THEN $5 ELSE agent_id END,
           password_hash = COALESCE($6, password_hash), disabled = COALESCE($7, disabled),
           department = CASE WHEN $8::boolean THEN $9 ELSE department END, updated_at = now()
         WHERE username = $1 RETURNING ${ACCOUNT}`,
        [
          username,
          p.displayName ?? null,
          p.role ?? null,
          p.agentId !== undefined,
          p.agentId ?? null,
          p.passwordHash ?? null,
          p.disabled ?? null,
          p.department !== undefined,
          p.department ?? null,
        ],
      );
      // A liaison moved to another department must sign in again: its open pages showed the old department's orders.
      if (r.rows[0] && (p.passwordHash || p.role || p.disabled || p.department !== undefined))
        await client.query('DELETE FROM sessions WHERE username = $1', [username]);
      await client.query('COMMIT');
      return r.rows[0];
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    } finally {
      client.release();
    }
  }

  /** Whether `code` is an active department (migrations/015_departments_workorders.sql). */
  async departmentExists(code: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM departments WHERE code = $1 AND active', [code]);
    return (r.rowCount ?? 0) > 0;
  }

  async createSession(tokenHash: Buffer, username: string, expiresAt: Date, ip: string | undefined): Promise<void> {
    await this.pool.query('INSERT INTO sessions (token_hash, username, expires_at, ip) VALUES ($1, $2, $3, $4)', [
      tokenHash,
      username,
      expiresAt,
      ip ?? null,
    ]);
    // Expired sessions are of no use to anyone; each login clears its own account's.
    await this.pool.query('DELETE FROM sessions WHERE username = $1 AND expires_at < now()', [username]);
  }

  async sessionAccount(tokenHash: Buffer): Promise<Account | undefined> {
    const r = await this.pool.query<Account>(
      `SELECT ${ACCOUNT} FROM accounts
       WHERE username = (SELECT username FROM sessions WHERE token_hash = $1 AND expires_at > now()) AND NOT disabled`,
      [tokenHash],
    );
    return r.rows[0];
  }

  async endSession(tokenHash: Buffer): Promise<void> {
    await this.pool.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async listKeys(): Promise<ApiKey[]> {
    return (await this.pool.query<ApiKey>(`SELECT ${KEY} FROM api_keys ORDER BY created_at`)).rows;
  }

  async createKey(k: {
    id: string;
    name: string;
    role: Role;
    keyHash: Buffer;
    createdBy: string;
    expiresAt: Date | null;
  }): Promise<ApiKey> {
    const r = await this.pool.query<ApiKey>(
      `INSERT INTO api_keys (id, name, role, key_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${KEY}`,
      [k.id, k.name, k.role, k.keyHash, k.createdBy, k.expiresAt],
    );
    return r.rows[0]!;
  }

  /** The key's id and role if it is valid now. Marks it used at most once a minute (a polling tool must not write per request). */
  async useKey(keyHash: Buffer): Promise<{ id: string; role: Role } | undefined> {
    const r = await this.pool.query<{ id: string; role: Role; stale: boolean }>(
      `SELECT id, role, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale FROM api_keys
       WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [keyHash],
    );
    const k = r.rows[0];
    if (k?.stale) await this.pool.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [k.id]);
    return k && { id: k.id, role: k.role };
  }

  async revokeKey(id: string): Promise<ApiKey | undefined> {
    const r = await this.pool.query<ApiKey>(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${KEY}`, [
      id,
    ]);
    return r.rows[0];
  }
}
