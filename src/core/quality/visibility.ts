import { grants, type Principal } from '../auth/access.js';

/**
 * Who sees which quality review, as a rule a store turns into a query (lists are filtered in SQL):
 * holders of quality.review (reviewers, supervisors, admins) see every review; an agent
 * (quality.own with its phone linked) only the reviews of calls it answered; anyone else none.
 */
export type ReviewScope = { kind: 'all' } | { kind: 'agent'; agentId: string } | { kind: 'none' };

export function reviewScope(p: Principal): ReviewScope {
  if (grants(p.role, 'quality.review')) return { kind: 'all' };
  if (grants(p.role, 'quality.own') && p.agentId !== undefined) return { kind: 'agent', agentId: p.agentId };
  return { kind: 'none' };
}

/** May `p` see a review of a call answered by `agentId`? One it may not see does not exist for it (404). */
export function canSeeReview(p: Principal, review: { agentId: string }): boolean {
  const s = reviewScope(p);
  return s.kind === 'all' || (s.kind === 'agent' && s.agentId === review.agentId);
}

/**
 * The agent a list is narrowed to: what was asked for (any, for reviewers), an agent's own (forced),
 * or a refusal naming why (an agent asking for another's, or a principal who sees none).
 */
export function listAgent(p: Principal, asked: string | undefined): { agentId?: string } | { refused: string } {
  const s = reviewScope(p);
  if (s.kind === 'all') return asked === undefined ? {} : { agentId: asked };
  if (s.kind === 'none') return { refused: `role ${p.role} has no quality reviews to see (no linked agent)` };
  if (asked !== undefined && asked !== s.agentId) return { refused: 'an agent sees only the reviews of its own calls' };
  return { agentId: s.agentId };
}

/**
 * Why `p` may not review a recording of a call answered by `agentId`, or undefined when it may:
 * reviewing needs quality.review, and nobody scores a call they answered themselves.
 */
export function reviewRefusal(p: Principal, recording: { agentId: string }): string | undefined {
  if (!grants(p.role, 'quality.review')) return `role ${p.role} may not review calls`;
  if (p.agentId !== undefined && p.agentId === recording.agentId) return 'a reviewer may not review a call they answered as the agent';
  return undefined;
}
