import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { PgAuditRepo } from './audit-repo.js';
import { AuditService } from './audit-service.js';
import { auditRoutes } from './routes.js';

export interface AuditFeature extends Feature {
  service: AuditService;
}

/** Who changed what: appended by the auth hook (http/auth.ts) for every change, read by ops. */
export function registerAudit({ pool }: Infrastructure): AuditFeature {
  const service = new AuditService(new PgAuditRepo(pool));
  return { service, routes: [auditRoutes({ audit: service })] };
}
