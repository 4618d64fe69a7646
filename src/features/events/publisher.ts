import type { Logger } from 'pino';
import type { DomainEvent } from '../../core/events.js';
import type { Cursor, Journal, Sequenced } from '../../adapters/outbox/journal.js';
import { Backoff, sleep } from '../../shared/backoff.js';

export interface EventWriter {
  readonly name: string;
  /** Must be idempotent for events it already has (same id or seq): a batch may be sent again. */
  write(batch: readonly Sequenced[]): Promise<void>;
  /**
   * How long events may gather before a write, so a busy minute is a few large batches rather
   * than one small transaction per event. 0 (the default): from the next turn of the event loop.
   */
  readonly lingerMs?: number;
}

/**
 * Every event goes to the outbox journal first, then to each store in order. Each store has
 * its own cursor, so an outage of one does not hold up the other; a failed batch is retried
 * with backoff, and after a restart each store resumes from its cursor. Nothing is lost;
 * nothing is stored twice (Postgres: unique event id; Redis: the stream remembers its seq).
 */
export class EventPublisher {
  private readonly lanes: Lane[];
  private compaction: NodeJS.Timeout | undefined;

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
    clearTimeout(this.compaction);
    for (const l of this.lanes) l.stop();
    this.journal.close();
  }

  /**
   * Empties the journal a second after the stores last caught up, not every time they do: under
   * load they catch up many times a second, and each emptying costs synchronous file writes.
   */
  private compact(): void {
    this.compaction ??= setTimeout(() => {
      this.compaction = undefined;
      if (this.journal.compactIfDone(this.lanes.map((l) => l.cursor))) for (const l of this.lanes) l.rewind();
    }, 1000).unref();
  }
}

class Lane {
  cursor: Cursor;
  private running = false;
  private stopped = false;
  private readonly backoff = new Backoff({ minMs: 100, maxMs: 5000 });
  private saving: NodeJS.Timeout | undefined;
  private scheduled: (() => void) | undefined;

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

  /**
   * The journal was emptied: this store had all of it. Saved at once: a cursor on disk from
   * before the emptying would point into the middle of whatever is appended next.
   */
  rewind(): void {
    this.cursor = { seq: this.cursor.seq, offset: 0 };
    this.saveNow();
  }

  /**
   * Persisted at most every CURSOR_SAVE_MS rather than after every batch (two synchronous file
   * operations each). After a crash the store is sent again what came after the saved cursor; it
   * already has it and keeps one copy (EventWriter.write is idempotent).
   */
  private saveSoon(): void {
    this.saving ??= setTimeout(() => this.saveNow(), CURSOR_SAVE_MS).unref();
  }

  private saveNow(): void {
    clearTimeout(this.saving);
    this.saving = undefined;
    this.journal.saveCursor(this.writer.name, this.cursor);
  }

  /**
   * The store is written later (lingerMs, or the next turn of the event loop), never inside
   * publish(): reading the journal back and sending the batch cost about 0.15 ms, which the
   * caller's next request to Asterisk (ringing an agent, measured in bench:acd) would otherwise
   * wait for. The events are already safe in the journal.
   */
  wake(): void {
    if (this.running || this.scheduled || this.stopped) return;
    const go = () => {
      this.scheduled = undefined;
      if (!this.running && !this.stopped) void this.run();
    };
    const linger = this.writer.lingerMs ?? 0;
    if (linger > 0) {
      const t = setTimeout(go, linger);
      this.scheduled = () => clearTimeout(t);
    } else {
      const t = setImmediate(go);
      this.scheduled = () => clearImmediate(t);
    }
  }

  stop(): void {
    this.stopped = true;
    this.scheduled?.();
    this.scheduled = undefined;
    this.saveNow();
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
          this.saveSoon();
          this.backoff.reset();
        } catch (err) {
          this.log.warn(
            { store: this.writer.name, pending: this.pending, err: (err as Error).message },
            'event store unavailable, retrying',
          );
          await sleep(this.backoff.next());
        }
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped && this.pending === 0) this.onCaughtUp();
  }
}

const CURSOR_SAVE_MS = 200;

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
