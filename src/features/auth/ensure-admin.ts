import type { PgAccountRepo } from './account-repo.js';
import { hashPassword } from '../../shared/secrets.js';

/** The API's own minimum for a password (features/auth/routes.ts: Password). */
export const MIN_PASSWORD = 10;

export type EnsureAdminResult =
  | { outcome: 'created'; username: string }
  | { outcome: 'exists' }
  /** No enabled admin, but the user name is taken (a disabled or non-admin account): left as it is. */
  | { outcome: 'taken'; username: string };

/**
 * The Quick start's first admin account, so a person can sign in to the console with the
 * password the start script printed. Does nothing when an enabled admin already exists: the
 * operator's accounts are never touched. `adminExists` defaults to the repository's own check
 * (tests pass theirs, as the shared database holds admins from earlier runs).
 */
export async function ensureAdmin(
  repo: PgAccountRepo,
  o: { username: string; displayName: string; password: string; adminExists?: () => Promise<boolean> },
): Promise<EnsureAdminResult> {
  if (o.password.length < MIN_PASSWORD) throw new Error(`the admin password must have at least ${MIN_PASSWORD} characters`);
  if (await (o.adminExists ?? (() => repo.hasAdmin()))()) return { outcome: 'exists' };
  const created = await repo.create({
    username: o.username,
    displayName: o.displayName,
    role: 'admin',
    agentId: null,
    department: null,
    passwordHash: await hashPassword(o.password),
  });
  return created ? { outcome: 'created', username: created.username } : { outcome: 'taken', username: o.username };
}
