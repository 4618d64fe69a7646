import type { AuditEntry, AuditQuery, AuditRow, PgAuditRepo } from './audit-repo.js';

export type { AuditEntry, AuditRow };

/** Entries one read returns when the caller names no limit, and at most. */
export const AUDIT_PAGE = { default: 100, max: 1000 };

/**
 * The audit log as the rest of the service sees it: the auth hook appends what each request
 * changed (src/http/auth.ts), GET /api/audit reads it. Nothing here changes or deletes an entry.
 */
export class AuditService {
  constructor(private readonly repo: Pick<PgAuditRepo, 'append' | 'query'>) {}

  append(e: AuditEntry): Promise<void> {
    return this.repo.append(e);
  }

  /** Newest first; a page is capped so one request cannot read the whole log. */
  query(q: Omit<AuditQuery, 'limit'> & { limit?: number }): Promise<AuditRow[]> {
    return this.repo.query({ ...q, limit: Math.min(q.limit ?? AUDIT_PAGE.default, AUDIT_PAGE.max) });
  }
}
