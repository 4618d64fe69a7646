import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PgAccountRepo } from '../../src/features/auth/account-repo.js';
import { ensureAdmin } from '../../src/features/auth/ensure-admin.js';
import { verifyPassword } from '../../src/shared/secrets.js';
import { REPO, requireEnv } from '../support/rig.js';

// Real Postgres. The shared database may hold enabled admins from earlier runs, so whether one
// exists is the test's to say (adminExists); the accounts made here are t-admin-… and deleted after.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 2 });
const repo = new PgAccountRepo(pool);
const made: string[] = [];
const name = () => {
  const u = `t-admin-${randomBytes(4).toString('hex')}`;
  made.push(u);
  return u;
};
afterAll(async () => {
  await pool.query('DELETE FROM accounts WHERE username = ANY($1)', [made]);
  await pool.end();
});

const stored = async (u: string) =>
  (
    await pool.query<{ role: string; disabled: boolean; hash: string; display: string }>(
      'SELECT role, disabled, password_hash AS hash, display_name AS display FROM accounts WHERE username = $1',
      [u],
    )
  ).rows[0];

describe('ensure-admin (real Postgres)', () => {
  it('with no enabled admin, creates an enabled admin whose password verifies (stored as a scrypt hash, not the password)', async () => {
    const u = name();
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const r = await ensureAdmin(repo, { username: u, displayName: '管理员', password, adminExists: async () => false });
    expect(r).toEqual({ outcome: 'created', username: u });
    const row = await stored(u);
    expect(row).toMatchObject({ role: 'admin', disabled: false, display: '管理员' });
    expect(row!.hash).toMatch(/^scrypt\$/);
    expect(row!.hash).not.toContain(password);
    expect(await verifyPassword(password, row!.hash)).toBe(true);
    expect(await repo.hasAdmin()).toBe(true);
  });

  it('with an enabled admin, creates nothing', async () => {
    const u = name();
    const r = await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'long-enough-pw', adminExists: async () => true });
    expect(r).toEqual({ outcome: 'exists' });
    expect(await stored(u)).toBeUndefined();
  });

  it("by default asks the database: right after creating one, a second run finds it and leaves the first one's password alone", async () => {
    const u = name();
    await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'first-password', adminExists: async () => false });
    const before = await stored(u);
    expect(await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'second-password' })).toEqual({ outcome: 'exists' });
    expect((await stored(u))!.hash).toBe(before!.hash);
  });

  it('a taken user name (disabled account) is reported and left as it is', async () => {
    const u = name();
    await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'first-password', adminExists: async () => false });
    await pool.query('UPDATE accounts SET disabled = true WHERE username = $1', [u]);
    const before = await stored(u);
    const r = await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'other-password', adminExists: async () => false });
    expect(r).toEqual({ outcome: 'taken', username: u });
    expect(await stored(u)).toEqual(before);
  });

  it('refuses a short password before touching the database', async () => {
    const u = name();
    await expect(
      ensureAdmin(repo, { username: u, displayName: '管理员', password: 'short', adminExists: async () => false }),
    ).rejects.toThrow(/at least 10/);
    expect(await stored(u)).toBeUndefined();
  });

  describe('the command scripts/up.sh runs', () => {
    const run = (password: string | undefined) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.CONSOLE_ADMIN_PASSWORD;
      if (password !== undefined) env.CONSOLE_ADMIN_PASSWORD = password;
      return spawnSync('npx', ['tsx', 'src/cli/ensure-admin.ts'], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
    };

    it('without a password, or with a short one, fails saying why and creates nothing', () => {
      for (const [password, why] of [
        [undefined, 'not set'],
        ['short', 'shorter than 10'],
      ] as const) {
        const r = run(password);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(`CONSOLE_ADMIN_PASSWORD is ${why}`);
        expect(r.stdout).toBe('');
      }
    });

    it('with an enabled admin present, says so in one line, changes nothing, and never prints the password', async () => {
      const u = name();
      await ensureAdmin(repo, { username: u, displayName: '管理员', password: 'first-password', adminExists: async () => false });
      const admins = await pool.query("SELECT username, password_hash FROM accounts WHERE role = 'admin' ORDER BY username");
      const password = `pw-${randomBytes(8).toString('hex')}`;
      const r = run(password);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('console admin: an enabled admin account already exists; nothing changed\n');
      expect(r.stdout + r.stderr).not.toContain(password);
      expect((await pool.query("SELECT username, password_hash FROM accounts WHERE role = 'admin' ORDER BY username")).rows).toEqual(
        admins.rows,
      );
    });
  });
});
