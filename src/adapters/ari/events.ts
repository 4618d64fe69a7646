import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { isAriEventType, type AriEvent } from './types.js';
import { Backoff } from '../../shared/backoff.js';

export interface AriEventStreamOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  log: Logger;
  /** Backoff after a lost connection: doubles from min to max, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * A WebSocket ping this often; nothing heard (pong or event) after three in a row and the
   * connection is given up. A host that went away (power, network) sends no FIN: without this the
   * stream would look connected until TCP gave up, many minutes later. Three, not one: a busy
   * event loop reads a pong late.
   */
  pingEveryMs?: number;
}

/**
 * A message from the wire as an AriEvent, or undefined for a type the union does not hold. The
 * fields of a known type are trusted as Asterisk's (its ARI model is the contract, not checked here).
 */
export function knownAriEvent(msg: unknown): AriEvent | undefined {
  if (typeof msg !== 'object' || msg === null || !isAriEventType((msg as { type?: unknown }).type)) return undefined;
  return msg as AriEvent;
}

/**
 * ARI's event WebSocket, reconnected with backoff.
 *
 * Every event of a type AriEvent holds is handed to `onEvent` synchronously, in arrival order
 * (others are dropped here, so consumers need no catch-all); nothing is
 * debounced or coalesced (a debounce elsewhere lost back-to-back DTMF digits). Ordering
 * across async work is the consumer's job (see features/calls/ordered-dispatch.ts).
 *
 * Emits 'connected' after every (re)connection: Asterisk keeps no events for a
 * disconnected app, so the consumer resynchronises from Asterisk's channel list then.
 */
export class AriEventStream extends EventEmitter {
  private ws: WebSocket | undefined;
  private stopped = false;
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  connected = false;
  /**
   * Asterisk gives a Stasis app to one WebSocket only: when another connection registers the
   * same name, this one stops receiving events. Not reconnecting avoids two instances stealing
   * it back and forth; health reports it instead.
   */
  replaced = false;

  constructor(
    private readonly opts: AriEventStreamOptions,
    private readonly onEvent: (ev: AriEvent) => void,
  ) {
    super();
    this.backoff = new Backoff({ minMs: opts.minBackoffMs ?? 250, maxMs: opts.maxBackoffMs ?? 10_000, jitter: true });
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Resolves at the first successful connection, or rejects after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('connected', ok);
        reject(new Error(`Asterisk ARI events not reachable at ${this.opts.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const ok = () => {
        clearTimeout(t);
        resolve();
      };
      this.once('connected', ok);
    });
  }

  private open(): void {
    const u = new URL(this.opts.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/ari/events');
    u.searchParams.set('app', this.opts.app);
    u.searchParams.set('subscribeAll', 'false');
    const ws = new WebSocket(u, {
      headers: { authorization: 'Basic ' + Buffer.from(`${this.opts.user}:${this.opts.password}`).toString('base64') },
      handshakeTimeout: 5000,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.keepAlive(ws);
      this.backoff.reset();
      this.replaced = false;
      this.connected = true;
      this.opts.log.info({ app: this.opts.app }, 'ARI event stream connected');
      this.emit('connected');
    });
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(data.toString());
      } catch (err) {
        this.opts.log.error({ err }, 'unparseable ARI event');
        return;
      }
      const ev = knownAriEvent(msg);
      if (!ev) {
        // Asterisk sends only what allowEvents asked for once that call is through; before it (and
        // on a stream without the filter) anything may come, which no consumer reads.
        this.opts.log.debug({ type: (msg as { type?: unknown } | null)?.type }, 'ARI event not asked for: dropped');
        return;
      }
      if (ev.type === 'ApplicationReplaced') {
        this.replaced = true;
        this.opts.log.error({ app: this.opts.app }, 'another connection took over the Stasis app: this instance receives no more calls');
        this.emit('replaced');
        return;
      }
      this.onEvent(ev);
    });
    ws.on('error', (err) => this.opts.log.debug({ err: err.message }, 'ARI websocket error'));
    ws.on('close', () => {
      const was = this.connected;
      this.connected = false;
      if (was) {
        if (this.stopped) this.opts.log.info('ARI event stream closed');
        else this.opts.log.warn('ARI event stream lost');
        this.emit('disconnected');
      }
      if (!this.stopped) this.scheduleReconnect();
    });
  }

  /**
   * Pings until the socket closes; three pings in a row with nothing heard after them (pong or
   * event), it is ended (then 'close', and a reconnection). Counted in pings, not in time: after
   * this thread was busy for longer than three pings, the timer fires before the socket's waiting
   * pong is read, and a clock would give up a healthy connection, losing the events Asterisk sends
   * while the stream reconnects (a caller's key press among them).
   */
  private keepAlive(ws: WebSocket): void {
    const every = this.opts.pingEveryMs ?? 3000;
    let heard = true;
    let unanswered = 0;
    const hear = () => (heard = true);
    ws.on('pong', hear);
    ws.on('message', hear);
    const t = setInterval(() => {
      unanswered = heard ? 0 : unanswered + 1;
      heard = false;
      if (unanswered >= 3) {
        this.opts.log.warn({ unansweredPings: unanswered, pingEveryMs: every }, 'ARI event stream silent: the connection is given up');
        ws.terminate();
        return;
      }
      ws.ping();
    }, every);
    t.unref();
    ws.once('close', () => clearInterval(t));
  }

  private scheduleReconnect(): void {
    this.timer = setTimeout(() => this.open(), this.backoff.next());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close();
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000).unref();
    });
  }
}
