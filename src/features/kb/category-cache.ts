import { categoryPaths, subtree, type CategoryNode } from '../../core/kb/tree.js';

/**
 * The category tree held in memory for a short while: every search and article names its
 * category's path, and the tree changes rarely. Written here, it is dropped at once; written by
 * another instance, it is seen within TTL_MS.
 */
export class CategoryCache {
  static readonly TTL_MS = 2000;
  private cached: { at: number; nodes: CategoryNode[]; paths: Map<number, string[]> } | undefined;
  private loading: Promise<CategoryNode[]> | undefined;

  constructor(
    private readonly load: () => Promise<CategoryNode[]>,
    private readonly now: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.cached = undefined;
  }

  private async current() {
    if (this.cached && this.now() - this.cached.at < CategoryCache.TTL_MS) return this.cached;
    const nodes = await (this.loading ??= this.load().finally(() => (this.loading = undefined)));
    this.cached = { at: this.now(), nodes, paths: categoryPaths(nodes) };
    return this.cached;
  }

  async nodes(): Promise<CategoryNode[]> {
    return (await this.current()).nodes;
  }
  async path(id: number): Promise<string[] | undefined> {
    return (await this.current()).paths.get(id);
  }
  async paths(): Promise<Map<number, string[]>> {
    return (await this.current()).paths;
  }
  async subtree(id: number): Promise<number[]> {
    return subtree((await this.current()).nodes, id);
  }
  async exists(id: number): Promise<boolean> {
    return (await this.current()).paths.has(id);
  }
}
