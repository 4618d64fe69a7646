/**
 * A graph (node id -> targets) that counts how often it is read: each get, and each node a walk
 * over its keys or entries yields. The "linear time" guards bound this count, not the clock, so they
 * judge the algorithm alone (a loaded machine made a wall-clock bound fail at 259 ms against 200).
 * A fix-point loop re-reading every node each pass reads it n times over: caught at once.
 */
export class CountingGraph extends Map<string, readonly string[]> {
  reads = 0;
  /** Past this many reads the walk is stopped: a quadratic regression fails fast instead of hanging. */
  constructor(
    entries: Iterable<readonly [string, readonly string[]]>,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    super(entries);
  }
  private count(): void {
    if (++this.reads > this.limit) throw new Error(`more than ${this.limit} graph reads: not linear`);
  }
  override get(key: string): readonly string[] | undefined {
    this.count();
    return super.get(key);
  }
  override *keys(): MapIterator<string> {
    for (const k of super.keys()) {
      this.count();
      yield k;
    }
  }
  override *entries(): MapIterator<[string, readonly string[]]> {
    for (const e of super.entries()) {
      this.count();
      yield e;
    }
  }
  override [Symbol.iterator](): MapIterator<[string, readonly string[]]> {
    return this.entries();
  }
}
