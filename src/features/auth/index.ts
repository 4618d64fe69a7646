import { createHash } from 'node:crypto';
import type { Feature } from '../../app/feature.js';
import type { AuthDeps } from '../../http/auth.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import type { AgentsFeature } from '../agents/index.js';
import { PgAccountRepo } from './account-repo.js';
import { AuthService } from './auth-service.js';
import { LoginLimiter } from './login-limiter.js';
import { accountRoutes } from './routes.js';

export interface AuthFeature extends Feature {
  service: AuthService;
  /** Unknown bearer tokens counted per address, for the auth hook (http/auth.ts). */
  tokenGuesses: NonNullable<AuthDeps['tokenGuesses']>;
  /** The key browser sessions' CSRF tokens are derived with (http/browser-session.ts). */
  csrfKey: string;
  /** What the HTTP auth hook (http/auth.ts) needs: this feature's lookups, with the audit log given. */
  httpAuth(appendAudit: AuthDeps['appendAudit']): AuthDeps;
}

/** Accounts, logins and sessions; every API request is authenticated by it (http/auth.ts). */
export function registerAuth({ config, pool, redis, keys, log }: Infrastructure, { agents }: { agents: AgentsFeature }): AuthFeature {
  const limiter = new LoginLimiter(redis, keys.loginFailures, {
    perPair: config.LOGIN_MAX_FAILURES,
    perIp: config.LOGIN_MAX_PER_ADDRESS,
    firstBackoffMs: 2000,
    maxBackoffMs: config.LOGIN_WINDOW_MIN * 60_000,
    quietMs: config.LOGIN_WINDOW_MIN * 60_000,
    tokenMissesPerIp: config.LOGIN_MAX_PER_ADDRESS,
  });
  const service = new AuthService({
    repo: new PgAccountRepo(pool),
    limiter,
    bootstrapToken: config.ADMIN_TOKEN,
    bootstrapAlways: config.ADMIN_TOKEN_ALWAYS,
    sessionTtlMs: config.SESSION_TTL_H * 3_600_000,
    now: () => Date.now(),
    log,
  });
  // Derived from the one secret every instance already shares, so any instance (and a restarted
  // one) accepts the token a page was given; rotating ADMIN_TOKEN makes pages fetch /api/me again.
  const csrfKey = createHash('sha256').update(`tax12366 csrf\0${config.ADMIN_TOKEN}`).digest('hex');
  const tokenGuesses = {
    blocked: (ip: string) => limiter.tokensBlocked(ip),
    missed: (ip: string) => limiter.tokenMissed(ip),
    retryAfterS: config.LOGIN_WINDOW_MIN * 60,
  };
  return {
    service,
    csrfKey,
    tokenGuesses,
    httpAuth: (appendAudit) => ({ authenticate: (token) => service.authenticate(token), appendAudit, tokenGuesses, csrfKey }),
    routes: [accountRoutes({ auth: service, csrfKey, agentExists: async (id) => (await agents.service.get(id))?.active === true })],
  };
}
