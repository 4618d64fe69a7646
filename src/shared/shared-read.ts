/**
 * One read serving every caller for a short while. Today's figures come from the reports, a scan
 * of today's calls: every /metrics scrape and every /api/live client, each second, ran it on its
 * own, and with a busy day's calls the Postgres pool ran dry. Callers arriving while a read runs
 * wait for it instead of starting another; a failed read is not kept.
 */
export class SharedRead<T> {
  private last: { at: number; value: T } | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  get(): Promise<T> {
    const at = this.now();
    if (this.last && at - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.value);
    this.running ??= this.load()
      .then((value) => {
        this.last = { at, value };
        return value;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * The last value at once, with a read started behind it when it is old; waits only for the
   * first. For a feed that keeps its own pace whatever one of its parts costs: the wallboard's
   * agents each second, although today's figures behind them took seconds to scan on a busy day.
   */
  soon(): Promise<T> {
    if (!this.last) return this.get();
    const last = this.last.value;
    this.get().catch(() => undefined);
    return Promise.resolve(last);
  }
}
