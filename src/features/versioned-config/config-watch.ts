import type { Redis } from 'ioredis';

/**
 * Tells every instance that some configuration's active version changed, so that each may keep
 * the active version numbers in memory instead of asking Redis on every call (a round trip on the
 * path from a caller arriving to an agent's phone ringing).
 *
 * A cached value is trusted only while this subscription is up and no message (nor a reconnect,
 * which may have lost messages) arrived since it was read: `generation` counts both.
 */
export class ConfigWatch {
  private gen = 0;
  /** Subscribed now: set once SUBSCRIBE is confirmed, cleared when the connection drops. */
  private up = false;
  private started = false;

  constructor(
    private readonly sub: Redis,
    private readonly channel: string,
  ) {
    sub.on('message', (ch: string) => {
      if (ch === this.channel) this.gen++;
    });
    // After a reconnect, trusted again only once the subscription is confirmed anew (a change
    // announced while it was down was missed: the generation moved on at the drop).
    sub.on('ready', () => {
      this.gen++;
      if (this.started) void this.subscribe().catch(() => undefined);
    });
    sub.on('close', () => {
      this.gen++;
      this.up = false;
    });
    sub.on('error', () => undefined);
  }

  async start(): Promise<void> {
    this.started = true;
    // The service's connections are lazy and queue nothing offline: SUBSCRIBE on one not yet
    // connected would fail at once.
    if (this.sub.status === 'wait') await this.sub.connect();
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    await this.sub.subscribe(this.channel);
    this.gen++;
    this.up = true;
  }

  /** Undefined while not subscribed: nothing may be cached then. */
  get generation(): number | undefined {
    return this.up ? this.gen : undefined;
  }

  /** After a write every instance drops what it cached (this one included, when the message comes back). */
  announce(publisher: Redis): Promise<number> {
    this.gen++;
    return publisher.publish(this.channel, 'changed');
  }

  stop(): void {
    this.started = false;
    this.up = false;
    this.sub.disconnect();
  }
}
