import type { Logger } from 'pino';
import type { DomainEvent } from '../../core/events.js';
import type { Cursor, Journal, Sequenced } from '../../adapters/outbox/journal.js';

export interface EventWriter {
  readonly name: string;
  /** Must be idempotent for events it already has (same id or seq): a batch may be sent again. */
  write(batch: readonly Sequenced[]): Promise<void>;
}

/**
 * Every event goes to the outbox journal first, then to each store in order. Each store has
 * its own cursor, so an outage of one does not hold up the other; a failed batch is retried
 * with backoff, and after a restart each store resumes from its cursor. Nothing is lost;
 * nothing is stored twice (Postgres: unique event id; Redis: the stream remembers its seq).
 */
export class EventPublisher {
  private readonly lanes: Lane[];

  constructor(
    private readonly journal: Journal,
    writers: EventWriter[],
    private readonly log: Logger,
  ) {
    this.lanes = writers.map((w) => new Lane(w, journal, log, () => this.compact()));
    for (const l of this.lanes) l.wake();
  }

  publish(events: readonly DomainEvent[]): void {
    if (!events.length) return;
    this.journal.append(events);
    for (const lane of this.lanes) lane.wake();
  }

  /** Waits until every published event is stored, or the deadline passes. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.lanes.some((l) => l.pending > 0)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  pending(): Record<string, number> {
    return Object.fromEntries(this.lanes.map((l) => [l.writer.name, l.pending]));
  }

  close(): void {
    for (const l of this.lanes) l.stop();
    this.journal.close();
  }

  private compact(): void {
    if (this.journal.compactIfDone(this.lanes.map((l) => l.cursor))) for (const l of this.lanes) l.rewind();
  }
}

class Lane {
  cursor: Cursor;
  private running = false;
  private stopped = false;
  private backoff = 100;

  constructor(
    readonly writer: EventWriter,
    private readonly journal: Journal,
    private readonly log: Logger,
    private readonly onCaughtUp: () => void,
  ) {
    this.cursor = journal.loadCursor(writer.name);
  }

  get pending(): number {
    return this.journal.end.seq - this.cursor.seq;
  }

  /** The journal was emptied: this store had all of it. */
  rewind(): void {
    this.cursor = { seq: this.cursor.seq, offset: 0 };
    this.journal.saveCursor(this.writer.name, this.cursor);
  }

  wake(): void {
    if (!this.running && !this.stopped) void this.run();
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.pending > 0) {
        const { items, next } = this.journal.read(this.cursor, 500);
        if (!items.length) {
          this.cursor = next;
          break;
        }
        try {
          await withTimeout(this.writer.write(items), WRITE_TIMEOUT_MS, this.writer.name);
          this.cursor = next;
          this.journal.saveCursor(this.writer.name, next);
          this.backoff = 100;
        } catch (err) {
          this.log.warn({ store: this.writer.name, pending: this.pending, err: (err as Error).message }, 'event store unavailable, retrying');
          await new Promise((r) => setTimeout(r, this.backoff));
          this.backoff = Math.min(this.backoff * 2, 5000);
        }
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped && this.pending === 0) this.onCaughtUp();
  }
}

/** A write that neither succeeds nor fails (a connection half-open after an outage) is retried. */
const WRITE_TIMEOUT_MS = 10_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
