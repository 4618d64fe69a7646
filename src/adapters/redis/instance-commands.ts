import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What a handler answers: `handled: false` when this instance does not hold what the command is about. */
export type CommandAnswer = { handled: false } | { handled: true; status: number; body: unknown };

interface Request {
  id: string;
  from: string;
  kind: string;
  payload: unknown;
}
interface Reply {
  id: string;
  status: number;
  body: unknown;
}

/**
 * A small command channel between service instances over Redis pub/sub: a request is offered to
 * every instance, the one that holds what it is about (a live call) runs it and answers; the
 * others stay silent. No registry of who holds what is needed: holding a call is the answer.
 * Requests are rare (a supervisor's click), so a broadcast costs nothing worth a directory.
 * A request nobody answers within the timeout is reported as not held (404 for the caller).
 */
export class InstanceCommands {
  private readonly handlers = new Map<string, (payload: unknown) => Promise<CommandAnswer>>();
  private readonly waiting = new Map<string, (r: Reply) => void>();
  private started = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly self: string,
    private readonly log: Logger,
  ) {
    sub.on('message', (ch: string, msg: string) => {
      if (ch === this.channel) void this.onRequest(msg);
      else if (ch === this.replyChannel) this.onReply(msg);
    });
    sub.on('ready', () => {
      if (this.started) void this.subscribe().catch(() => undefined);
    });
    sub.on('error', () => undefined);
  }

  private get replyChannel(): string {
    return `${this.channel}:reply:${this.self}`;
  }

  handle(kind: string, fn: (payload: unknown) => Promise<CommandAnswer>): void {
    this.handlers.set(kind, fn);
  }

  async start(): Promise<void> {
    this.started = true;
    if (this.sub.status === 'wait') await this.sub.connect();
    await this.subscribe();
  }

  private async subscribe(): Promise<void> {
    await this.sub.subscribe(this.channel, this.replyChannel);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.sub.disconnect();
  }

  /**
   * Runs `kind` where it is held: here first (no round trip when this instance holds it), else
   * on whichever instance answers. Undefined when no instance held it within `timeoutMs`.
   */
  async request(kind: string, payload: unknown, timeoutMs = 3000): Promise<{ status: number; body: unknown } | undefined> {
    const local = await this.handlers.get(kind)?.(payload);
    if (local?.handled) return { status: local.status, body: local.body };
    const id = randomUUID();
    const answered = new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(r);
      });
    });
    const msg: Request = { id, from: this.self, kind, payload };
    await this.pub.publish(this.channel, JSON.stringify(msg));
    const r = await answered;
    return r ? { status: r.status, body: r.body } : undefined;
  }

  private async onRequest(raw: string): Promise<void> {
    let req: Request;
    try {
      req = JSON.parse(raw) as Request;
    } catch {
      return;
    }
    // Our own requests were tried here before they were sent.
    if (req.from === this.self) return;
    const fn = this.handlers.get(req.kind);
    if (!fn) return;
    try {
      const a = await fn(req.payload);
      if (!a.handled) return;
      const reply: Reply = { id: req.id, status: a.status, body: a.body };
      await this.pub.publish(`${this.channel}:reply:${req.from}`, JSON.stringify(reply));
    } catch (err) {
      this.log.warn({ kind: req.kind, err: (err as Error).message }, 'instance command failed');
    }
  }

  private onReply(raw: string): void {
    try {
      const r = JSON.parse(raw) as Reply;
      this.waiting.get(r.id)?.(r);
    } catch {
      // Not ours to read.
    }
  }
}
