/**
 * The call summary form's pure parts: the category tree for the picker, the articles to offer
 * and tick, and where an API error goes on the form. Limits come from the server's own rules.
 */
export { ARTICLES_MAX, EDIT_WINDOW_MS, NOTES_MAX, QUESTION_MAX, RESOLUTIONS, type Resolution } from '../../../../src/core/summaries/rules';

/** GET /api/kb/categories: the whole tree, flat. */
export interface KbCategory {
  id: number;
  parentId: number | null;
  name: string;
  position: number;
  articleCount?: number;
}

export interface TreeNode {
  value: number;
  title: string;
  /** The names from the root, for search and the chosen label ("国税 › 增值税 › 进项税额抵扣"). */
  path: string;
  children: TreeNode[];
}

/** The flat list as a tree ordered by position then name; a category whose parent is missing is shown at the root. */
export function categoryTree(flat: readonly KbCategory[]): TreeNode[] {
  const byParent = new Map<number | null, KbCategory[]>();
  const ids = new Set(flat.map((c) => c.id));
  for (const c of flat) {
    const p = c.parentId !== null && ids.has(c.parentId) ? c.parentId : null;
    byParent.set(p, [...(byParent.get(p) ?? []), c]);
  }
  const build = (parent: number | null, above: string[], seen: Set<number>): TreeNode[] =>
    (byParent.get(parent) ?? [])
      .filter((c) => !seen.has(c.id))
      .sort((a, b) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => {
        const names = [...above, c.name];
        return { value: c.id, title: c.name, path: names.join(' › '), children: build(c.id, names, new Set([...seen, c.id])) };
      });
  return build(null, [], new Set());
}

export interface ArticleRef {
  id: number;
  question: string;
}

/**
 * The articles the form offers to tick: those opened during the call first (the agent used them),
 * then the chosen category's published ones, each once.
 */
export function offeredArticles(opened: readonly ArticleRef[], suggested: readonly ArticleRef[]): ArticleRef[] {
  const seen = new Set<number>();
  return [...opened, ...suggested].filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
}

/** The form field an API error names ("articleIds/2" → articleIds, "question" → question); undefined for none of the form's. */
export function formField(field: string | undefined): 'categoryId' | 'question' | 'resolution' | 'notes' | 'articleIds' | undefined {
  const f = field?.split('/')[0];
  return f === 'categoryId' || f === 'question' || f === 'resolution' || f === 'notes' || f === 'articleIds' ? f : undefined;
}

/** May this agent still open the summary of an earlier call in the pop's history (it answered it, within the edit window)? */
export function editableFromHistory(h: { agentId: string | null; at: number }, agentId: string, now: number, windowMs: number): boolean {
  // The history has the call's start; the window runs from its end, so this errs on the side of offering it a little less.
  return h.agentId === agentId && now - h.at <= windowMs;
}
