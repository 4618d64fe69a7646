/**
 * An article's life: draft → reviewed → published → retired, and who may move it. The rule
 * that matters: whoever wrote the current text (its author or its last editor) never reviews it.
 */

export const STATUSES = ['draft', 'reviewed', 'published', 'retired'] as const;
export type ArticleStatus = (typeof STATUSES)[number];

export type WorkflowAction = 'approve' | 'reject' | 'publish' | 'retire';

export interface ArticleState {
  status: ArticleStatus;
  author: string;
  /** Who wrote the current version (the author for version 1). */
  editedBy: string;
}

export type Transition =
  | {
      ok: true;
      status: ArticleStatus;
      /** The reviewer to store: set on approve, cleared on reject, kept otherwise. */ reviewer: 'actor' | 'clear' | 'keep';
      published: boolean;
    }
  | { ok: false; status: 403 | 409; message: string };

/** What `action` by `actor` does to an article in `state`. */
export function transition(state: ArticleState, action: WorkflowAction, actor: string): Transition {
  const wrote = actor === state.author || actor === state.editedBy;
  switch (action) {
    case 'approve':
    case 'reject':
      if (wrote) return { ok: false, status: 403, message: 'a reviewer is never the author: this article was written by you' };
      if (action === 'approve') {
        if (state.status !== 'draft') return conflict(state.status, 'approved', 'a draft');
        return { ok: true, status: 'reviewed', reviewer: 'actor', published: false };
      }
      if (state.status !== 'draft' && state.status !== 'reviewed')
        return conflict(state.status, 'rejected', 'a draft or a reviewed article');
      return { ok: true, status: 'draft', reviewer: 'clear', published: false };
    case 'publish':
      if (state.status !== 'reviewed') return conflict(state.status, 'published', 'a reviewed article');
      return { ok: true, status: 'published', reviewer: 'keep', published: true };
    case 'retire':
      if (state.status === 'retired') return conflict(state.status, 'retired', 'an article not yet retired');
      return { ok: true, status: 'retired', reviewer: 'keep', published: false };
  }
}

const conflict = (from: ArticleStatus, verb: string, only: string): Transition => ({
  ok: false,
  status: 409,
  message: `this article is ${from}: only ${only} can be ${verb}`,
});

/**
 * An edit makes a new version, which is a draft again whatever the article was: a published
 * answer is changed only through review (docs/knowledge-base.md says what agents see meanwhile).
 */
export const STATUS_AFTER_EDIT: ArticleStatus = 'draft';

/** Hits from which an article is hot: 1 warm, 2 hot, 3 very hot (热点). */
export const HOTNESS_FROM = [10, 100, 1000] as const;

/** Hotness 0–3 from an article's hits (a step per order of magnitude). */
export function hotness(hits: number): 0 | 1 | 2 | 3 {
  if (hits >= HOTNESS_FROM[2]) return 3;
  if (hits >= HOTNESS_FROM[1]) return 2;
  if (hits >= HOTNESS_FROM[0]) return 1;
  return 0;
}

/** Whether opening an article counts a hit: an agent's open, or anyone's on a call (the call summary links it). */
export function countsHit(role: string, callId: string | undefined): boolean {
  return role === 'agent' || callId !== undefined;
}

/** Public favourites are the center's list: kept by those who write the base or manage the floor. */
export function mayKeepPublicFavourites(perms: { kbWrite: boolean; workordersManage: boolean }): boolean {
  return perms.kbWrite || perms.workordersManage;
}
