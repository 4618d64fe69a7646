/**
 * Whose recordings a principal may list and play (issue 23). Holders of `recordings` (supervisors,
 * quality reviewers, admins) hear every call; an agent hears only calls it answered, and only when
 * the center allows it (RECORDINGS_AGENT_OWN); everyone else nothing.
 */
import { grants, type Principal } from '../auth/access.js';

export type RecordingScope = { kind: 'all' } | { kind: 'agent'; agentId: string } | { kind: 'none'; reason: string };

export function recordingScope(p: Pick<Principal, 'role' | 'agentId'>, agentOwnAllowed: boolean): RecordingScope {
  if (grants(p.role, 'recordings')) return { kind: 'all' };
  if (!grants(p.role, 'recordings.own')) return { kind: 'none', reason: 'this role may not hear recordings' };
  if (!agentOwnAllowed) return { kind: 'none', reason: 'agents may not hear recordings here (RECORDINGS_AGENT_OWN is off)' };
  if (!p.agentId) return { kind: 'none', reason: 'this account is linked to no agent' };
  return { kind: 'agent', agentId: p.agentId };
}

/** May a principal with this scope hear a recording answered by `agentId`? */
export function inScope(scope: RecordingScope, agentId: string | null): boolean {
  return scope.kind === 'all' || (scope.kind === 'agent' && agentId === scope.agentId);
}

export const HOLD_REASONS = ['complaint', 'workorder'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** A hold's reference: a work order id or complaint number, printable and short. */
export const HOLD_REF_PATTERN = '^[A-Za-z0-9_.:-]{1,64}$';
export const HOLD_NOTE_MAX = 500;
