import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { PgAuditRepo } from './audit-repo.js';
import { auditRoutes } from './routes.js';

export interface AuditFeature extends Feature {
  repo: PgAuditRepo;
}

/** Who changed what: appended by the auth hook (http/auth.ts) for every change, read by ops. */
export function registerAudit({ pool }: Infrastructure): AuditFeature {
  const repo = new PgAuditRepo(pool);
  return { repo, routes: [auditRoutes({ repo })] };
}
