import type { KbCategory } from './types';

/** A node of antd's Tree: the category, its children, and how many articles sit under it (the subtree). */
export interface CategoryNode {
  key: number;
  title: string;
  name: string;
  total: number;
  children: CategoryNode[];
}

/** The flat list from GET /api/kb/categories as a tree, siblings by position then name. Orphans become roots. */
export function buildCategoryTree(categories: KbCategory[]): CategoryNode[] {
  const byId = new Map<number, CategoryNode & { position: number; own: number }>();
  for (const c of categories)
    byId.set(c.id, { key: c.id, title: c.name, name: c.name, total: 0, children: [], position: c.position, own: c.articleCount });
  const roots: Array<CategoryNode & { position: number; own: number }> = [];
  for (const c of categories) {
    const node = byId.get(c.id)!;
    const parent = c.parentId === null ? undefined : byId.get(c.parentId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const order = (a: { position: number; name: string }, b: { position: number; name: string }) =>
    a.position - b.position || a.name.localeCompare(b.name, 'zh-CN');
  const finish = (n: CategoryNode & { position: number; own: number }, seen: Set<number>): number => {
    // A cycle in bad data must not hang the page: a node already on the path is cut off.
    seen.add(n.key);
    n.children = (n.children as Array<CategoryNode & { position: number; own: number }>).filter((c) => !seen.has(c.key)).sort(order);
    n.total = n.own + n.children.reduce((s, c) => s + finish(c as CategoryNode & { position: number; own: number }, seen), 0);
    n.title = n.total ? `${n.name}（${n.total}）` : n.name;
    return n.total;
  };
  roots.sort(order);
  const seen = new Set<number>();
  for (const r of roots) finish(r, seen);
  return roots;
}

/** The names from the root down to `id`. */
export function categoryPath(categories: KbCategory[], id: number): string[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const out: string[] = [];
  const seen = new Set<number>();
  for (let c = byId.get(id); c && !seen.has(c.id); c = c.parentId === null ? undefined : byId.get(c.parentId)) {
    seen.add(c.id);
    out.unshift(c.name);
  }
  return out;
}

/** `id` and every category under it (a category may not move into its own subtree). */
export function subtreeIds(categories: KbCategory[], id: number): Set<number> {
  const out = new Set<number>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of categories)
      if (c.parentId !== null && out.has(c.parentId) && !out.has(c.id)) {
        out.add(c.id);
        grew = true;
      }
  }
  return out;
}
