/**
 * A sorted set under a total order, kept as a list of sorted blocks of at most 2 * LOAD items.
 *
 * Why blocks and not a balanced tree: the routing index needs insert, delete, the first item and
 * in-order scans that usually stop after a few items. With blocks, a scan is a walk over plain
 * arrays (what V8 does fastest), and insert/delete is a binary search plus a splice of at most a few
 * hundred pointers, which costs less than a tree's rotations and allocations at the sizes a
 * contact center has (tens of thousands of agents). Written here rather than taken from npm to keep
 * src/core free of dependencies (see the dependency-rule test).
 *
 * Items must be distinct under `cmp` (break ties on an id): delete finds an item by comparing, so
 * an item's sort key must not change while it is in the list; replace it instead.
 */
export type Compare<T> = (a: T, b: T) => number;

const LOAD = 128;

export class SortedList<T> {
  /** Non-empty sorted blocks; every item of a block sorts before every item of the next. */
  readonly blocks: T[][] = [];
  size = 0;

  constructor(readonly cmp: Compare<T>) {}

  first(): T | undefined {
    return this.blocks[0]?.[0];
  }

  insert(x: T): void {
    const bs = this.blocks;
    this.size++;
    if (bs.length === 0) {
      bs.push([x]);
      return;
    }
    const b = this.blockFor(x);
    const blk = bs[b]!;
    blk.splice(lowerBound(blk, x, this.cmp), 0, x);
    if (blk.length > 2 * LOAD) bs.splice(b + 1, 0, blk.splice(LOAD));
  }

  /** Removes the item equal to x under cmp; false if there is none. */
  delete(x: T): boolean {
    const bs = this.blocks;
    if (bs.length === 0) return false;
    const b = this.blockFor(x);
    const blk = bs[b]!;
    const i = lowerBound(blk, x, this.cmp);
    if (i >= blk.length || this.cmp(blk[i]!, x) !== 0) return false;
    blk.splice(i, 1);
    this.size--;
    if (blk.length === 0) bs.splice(b, 1);
    return true;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const blk of this.blocks) yield* blk;
  }

  /** The block that holds x or would: the first whose last item is not before x, else the last. */
  private blockFor(x: T): number {
    const bs = this.blocks;
    let lo = 0;
    let hi = bs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const blk = bs[mid]!;
      if (this.cmp(blk[blk.length - 1]!, x) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function lowerBound<T>(xs: readonly T[], x: T, cmp: Compare<T>): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first item `accept` takes, walking the union of several lists (each sorted by `cmp`, no
 * item in two of them) in `cmp` order. A merge of the lists' heads: the routing index keeps one list
 * per proficiency level, and "at least level m" is the union of a handful of them.
 */
export function firstAccepted<T>(lists: readonly SortedList<T>[], cmp: Compare<T>, accept: (x: T) => boolean): T | undefined {
  if (lists.length === 1) {
    for (const blk of lists[0]!.blocks) for (const x of blk) if (accept(x)) return x;
    return undefined;
  }
  const n = lists.length;
  const bi = new Array<number>(n).fill(0);
  const ii = new Array<number>(n).fill(0);
  for (;;) {
    let best = -1;
    let bx: T | undefined;
    for (let k = 0; k < n; k++) {
      const blk = lists[k]!.blocks[bi[k]!];
      if (blk === undefined) continue;
      const x = blk[ii[k]!]!;
      if (best < 0 || cmp(x, bx!) < 0) {
        best = k;
        bx = x;
      }
    }
    if (best < 0) return undefined;
    if (accept(bx!)) return bx;
    ii[best] = ii[best]! + 1;
    if (ii[best]! >= lists[best]!.blocks[bi[best]!]!.length) {
      bi[best] = bi[best]! + 1;
      ii[best] = 0;
    }
  }
}
