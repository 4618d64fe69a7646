/**
 * A survivor's moves, confirmed. Asterisk runs a channel's commands in turn and changes its app
 * only once none is left, so a moved channel's StasisStart (arguments 'moved') reaches our app
 * when the move has landed. The takeover (features/cluster/takeover.ts) waits for them, briefly,
 * before it resumes the calls: a prompt the resumed call plays would otherwise be queued ahead of
 * the move and hold it back for as long as it plays.
 */
export class MoveArrivals {
  /** Channels waited for, each to the wait it belongs to. */
  private readonly expected = new Map<string, Set<string>>();
  private readonly settled = new WeakMap<Set<string>, () => void>();

  /** Register before moving: a StasisStart can arrive before the move's HTTP answer does. */
  expect(channelIds: readonly string[]): PendingMoves {
    const left = new Set(channelIds);
    const all = new Promise<void>((r) => this.settled.set(left, r));
    for (const id of left) this.expected.set(id, left);
    if (!left.size) this.settled.get(left)!();
    const gone = (id: string) => {
      if (this.expected.get(id) === left) this.expected.delete(id);
      if (left.delete(id) && !left.size) this.settled.get(left)!();
    };
    return {
      forget: gone,
      within: async (ms) => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
        clearTimeout(timer);
        const missing = [...left];
        for (const id of missing) gone(id);
        return missing;
      },
    };
  }

  /** A moved channel's StasisStart reached our app. */
  arrived(channelId: string): void {
    const left = this.expected.get(channelId);
    this.expected.delete(channelId);
    if (left?.delete(channelId) && !left.size) this.settled.get(left)!();
  }
}

export interface PendingMoves {
  /** A channel whose move was refused: not waited for. */
  forget(channelId: string): void;
  /** Resolves once every channel arrived, or after `ms`, with those that did not. */
  within(ms: number): Promise<string[]>;
}
