import type { Logger } from 'pino';
import type { Principal, Role } from '../../core/auth/access.js';
import type { Account, ApiKey, PgAccountRepo } from './account-repo.js';
import type { LoginLimiter } from './login-limiter.js';
import { hashIsOld, hashPassword, newSecret, sameSecret, tokenHash, verifyPassword } from '../../shared/secrets.js';

export interface AuthServiceDeps {
  repo: PgAccountRepo;
  limiter: LoginLimiter;
  /** The environment's ADMIN_TOKEN: an admin key that exists before any account does. */
  bootstrapToken: string;
  /** Keep accepting it after admin accounts exist (ADMIN_TOKEN_ALWAYS: test rig, break-glass). */
  bootstrapAlways?: boolean;
  sessionTtlMs: number;
  now: () => number;
  log: Logger;
}

export type LoginResult =
  | { ok: true; token: string; expiresAt: string; account: Account }
  | { ok: false; problem: 'bad_credentials' }
  | { ok: false; problem: 'rate_limited'; retryAfterS: number };

/** Input that cannot be applied; `field` names where (a JSON pointer into the request body). */
export class AccountInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status: 400 | 404 | 409 | 422 = 422,
  ) {
    super(message);
    this.name = 'AccountInputError';
  }
}

// Session tokens and API keys look different so a leaked one is recognisable in logs or code.
const SESSION = 's1_';
const KEY = 'k1_';

/**
 * Accounts (people), their sessions, and API keys (tools). Every bearer secret is stored as a
 * hash; a password as scrypt. Logins are rate limited per user name and per address.
 */
export class AuthService {
  // Checked once per refused login so a wrong user name costs as much time as a wrong password.
  private readonly dummyHash = hashPassword(newSecret());
  /** Whether an enabled admin account exists, read at most once a second (the bootstrap token's every use asks). */
  private adminSeen: { at: number; yes: Promise<boolean> } | undefined;

  constructor(private readonly d: AuthServiceDeps) {}

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const user = username.toLowerCase();
    // Counted before the password is checked: parallel guesses each take an attempt.
    const wait = await this.d.limiter.attempt(user, ip);
    if (wait > 0) return { ok: false, problem: 'rate_limited', retryAfterS: Math.ceil(wait / 1000) };
    const stored = await this.d.repo.passwordHash(user);
    const good = await verifyPassword(password, stored?.hash ?? (await this.dummyHash));
    if (!stored || stored.disabled || !good) return { ok: false, problem: 'bad_credentials' };
    await this.d.limiter.succeeded(user, ip);
    // A hash from older, weaker parameters is replaced while the password is at hand. Not through
    // update(): that ends the person's sessions, and nothing about them changed.
    if (hashIsOld(stored.hash)) await this.d.repo.rehash(user, stored.hash, await hashPassword(password));
    const token = SESSION + newSecret();
    const expiresAt = new Date(this.d.now() + this.d.sessionTtlMs);
    await this.d.repo.createSession(tokenHash(token), user, expiresAt, ip);
    return { ok: true, token, expiresAt: expiresAt.toISOString(), account: (await this.d.repo.get(user))! };
  }

  async logout(token: string): Promise<void> {
    if (token.startsWith(SESSION)) await this.d.repo.endSession(tokenHash(token));
  }

  /** Who a bearer secret belongs to, if anyone. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (!token) return undefined;
    if (token.startsWith(SESSION)) {
      const a = await this.d.repo.sessionAccount(tokenHash(token));
      return (
        a && {
          id: a.username,
          role: a.role,
          via: 'session',
          ...(a.agentId ? { agentId: a.agentId } : {}),
          ...(a.department ? { department: a.department } : {}),
        }
      );
    }
    if (token.startsWith(KEY)) {
      const k = await this.d.repo.useKey(tokenHash(token));
      return k && { id: k.id, role: k.role, via: 'api_key' };
    }
    if (this.d.bootstrapToken && sameSecret(token, this.d.bootstrapToken) && (this.d.bootstrapAlways || !(await this.adminExists()))) {
      return { id: 'bootstrap', role: 'admin', via: 'bootstrap' };
    }
    return undefined;
  }

  /**
   * ADMIN_TOKEN only sets up the first admin account: once an enabled one exists it is refused
   * (an unknown token, 401), so a token left in an env file or a shell history opens nothing.
   * Should every admin be disabled later, it works again: the way back in for the operator.
   */
  private adminExists(): Promise<boolean> {
    const now = this.d.now();
    if (!this.adminSeen || now - this.adminSeen.at > 1000) {
      const yes = this.d.repo.hasAdmin();
      // A failed read is not cached (and refuses: no admin rights on a database error).
      yes.catch(() => (this.adminSeen = undefined));
      this.adminSeen = { at: now, yes };
    }
    return this.adminSeen.yes.catch(() => true);
  }

  accounts(): Promise<Account[]> {
    return this.d.repo.list();
  }

  account(username: string): Promise<Account | undefined> {
    return this.d.repo.get(username);
  }

  async createAccount(a: {
    username: string;
    displayName: string;
    role: Role;
    agentId?: string;
    department?: string;
    password: string;
  }): Promise<Account> {
    checkAgentLink(a.role, a.agentId ?? null);
    await this.checkDepartment(a.role, a.department ?? null);
    const created = await this.d.repo.create({
      ...a,
      agentId: a.agentId ?? null,
      department: a.department ?? null,
      passwordHash: await hashPassword(a.password),
    });
    if (!created) throw new AccountInputError('/username', `account "${a.username}" already exists`, 409);
    return created;
  }

  async updateAccount(
    username: string,
    p: { displayName?: string; role?: Role; agentId?: string | null; department?: string | null; password?: string; disabled?: boolean },
  ): Promise<{ before: Account; after: Account }> {
    const before = await this.d.repo.get(username);
    if (!before) throw new AccountInputError('/username', `account "${username}" does not exist`, 404);
    checkAgentLink(p.role ?? before.role, p.agentId !== undefined ? p.agentId : before.agentId);
    if (p.role !== undefined || p.department !== undefined)
      await this.checkDepartment(p.role ?? before.role, p.department !== undefined ? p.department : before.department);
    const after = await this.d.repo.update(username, {
      displayName: p.displayName,
      role: p.role,
      agentId: p.agentId,
      department: p.department,
      disabled: p.disabled,
      passwordHash: p.password === undefined ? undefined : await hashPassword(p.password),
    });
    return { before, after: after! };
  }

  /** A liaison answers for exactly one (active) department; no other role names one. A 400 naming /department. */
  private async checkDepartment(role: Role, department: string | null): Promise<void> {
    if (role === 'liaison' && !department) throw new AccountInputError('/department', 'a liaison account must name its department', 400);
    if (role !== 'liaison' && department)
      throw new AccountInputError('/department', `only a liaison account names a department (role is ${role})`, 400);
    if (department && !(await this.d.repo.departmentExists(department)))
      throw new AccountInputError('/department', `department ${department} does not exist`, 400);
  }

  /** A person changing their own password proves they know the current one. */
  async changeOwnPassword(username: string, current: string, next: string): Promise<boolean> {
    const stored = await this.d.repo.passwordHash(username);
    if (!stored || !(await verifyPassword(current, stored.hash))) return false;
    await this.d.repo.update(username, { passwordHash: await hashPassword(next) });
    return true;
  }

  apiKeys(): Promise<ApiKey[]> {
    return this.d.repo.listKeys();
  }

  /** The key itself is returned once, here; only its hash is kept. */
  async createApiKey(k: { name: string; role: Role; expiresInDays?: number; createdBy: string }): Promise<{ key: string; apiKey: ApiKey }> {
    if (!['admin', 'supervisor', 'readonly'].includes(k.role))
      throw new AccountInputError('/role', 'an API key is for a tool: role admin, supervisor or readonly');
    const id = newSecret(6);
    const key = `${KEY}${id}_${newSecret()}`;
    const expiresAt = k.expiresInDays ? new Date(this.d.now() + k.expiresInDays * 86_400_000) : null;
    const apiKey = await this.d.repo.createKey({
      id,
      name: k.name,
      role: k.role,
      keyHash: tokenHash(key),
      createdBy: k.createdBy,
      expiresAt,
    });
    return { key, apiKey };
  }

  revokeApiKey(id: string): Promise<ApiKey | undefined> {
    return this.d.repo.revokeKey(id);
  }
}

function checkAgentLink(role: Role, agentId: string | null): void {
  if (role === 'agent' && !agentId) throw new AccountInputError('/agentId', 'an agent account must name its agent (agentId)');
  if (role !== 'agent' && agentId) throw new AccountInputError('/agentId', `only an agent account names an agent (role is ${role})`);
}
