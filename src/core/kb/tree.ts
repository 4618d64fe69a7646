/** The category tree (any depth) as flat rows: paths, subtrees, and which moves would make a loop. */

export interface CategoryNode {
  id: number;
  parentId: number | null;
  name: string;
  position: number;
}

/** Each category's names from the root to itself. A row whose parent is missing (or a loop) ends its path there. */
export function categoryPaths(nodes: readonly CategoryNode[]): Map<number, string[]> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<number, string[]>();
  const pathOf = (id: number, seen: Set<number>): string[] => {
    const done = out.get(id);
    if (done) return done;
    const n = byId.get(id);
    if (!n) return [];
    if (seen.has(id)) return [n.name];
    seen.add(id);
    const p = n.parentId === null ? [n.name] : [...pathOf(n.parentId, seen), n.name];
    out.set(id, p);
    return p;
  };
  for (const n of nodes) pathOf(n.id, new Set());
  return out;
}

/** `root` and every category under it. */
export function subtree(nodes: readonly CategoryNode[], root: number): number[] {
  const children = new Map<number, number[]>();
  for (const n of nodes) if (n.parentId !== null) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id]);
  const out: number[] = [];
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    stack.push(...(children.get(id) ?? []));
  }
  return out;
}

/** Moving `id` under `newParent` would put it under itself. */
export function wouldLoop(nodes: readonly CategoryNode[], id: number, newParent: number | null): boolean {
  return newParent !== null && subtree(nodes, id).includes(newParent);
}
