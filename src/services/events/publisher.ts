import type { Logger } from 'pino';
import type { DomainEvent } from '../../core/events.js';

export interface EventWriter {
  readonly name: string;
  write(batch: readonly DomainEvent[]): Promise<void>;
}

/**
 * Sends every event to each store in the order published. Each store drains on its own,
 * so an outage of one does not hold up the other; a failed batch is retried with backoff
 * until it goes through.
 */
export class EventPublisher {
  private readonly lanes: Lane[];

  constructor(writers: EventWriter[], log: Logger) {
    this.lanes = writers.map((w) => new Lane(w, log));
  }

  publish(events: readonly DomainEvent[]): void {
    if (!events.length) return;
    for (const lane of this.lanes) lane.push(events);
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
}

class Lane {
  private queue: DomainEvent[] = [];
  private running = false;
  private backoff = 100;
  constructor(
    readonly writer: EventWriter,
    private readonly log: Logger,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(events: readonly DomainEvent[]): void {
    this.queue.push(...events);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.slice(0, 500);
      try {
        await this.writer.write(batch);
        this.queue.splice(0, batch.length);
        this.backoff = 100;
      } catch (err) {
        this.log.warn({ store: this.writer.name, pending: this.queue.length, err: (err as Error).message }, 'event store unavailable, retrying');
        await new Promise((r) => setTimeout(r, this.backoff));
        this.backoff = Math.min(this.backoff * 2, 5000);
      }
    }
    this.running = false;
  }
}
