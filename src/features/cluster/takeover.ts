import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AriEvent } from '../../adapters/ari/types.js';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { SESSIONS_REOWN, TAKEOVER_CLAIM } from '../../adapters/redis/cluster-scripts.js';
import { runScript } from '../../adapters/redis/scripts.js';
import { playbacksOf, replacedOnResume, type CallState } from '../../core/call/session.js';
import type { CallService } from '../calls/call-service.js';
import { claimMoved } from '../calls/held-elsewhere.js';
import type { MoveArrivals } from '../calls/move-arrivals.js';
import type { SessionStore } from '../calls/session-store.js';
import type { QueueStore } from '../routing/queue-store.js';
import type { Registration } from './membership.js';

/** The arguments a taken-over channel arrives with in the survivor's app: its call is already held (CallService ignores it). */
export const MOVED = 'moved';

/** An event stream for another instance's Stasis app (AriEventStream). */
export interface AppStream {
  start(): void;
  stop(): Promise<void>;
  waitConnected(timeoutMs: number): Promise<void>;
}

export interface TakeoverDeps {
  redis: Redis;
  keys: RedisKeys;
  /** This instance and its Stasis app. */
  self: string;
  app: string;
  ari: Pick<AriClient, 'move' | 'listChannels' | 'setVar' | 'subscribe' | 'stopPlayback'>;
  /** Opens a stream on a dead instance's app, its events handed to `onEvent`. */
  streamFor: (app: string, onEvent: (ev: AriEvent) => void) => AppStream;
  /** This instance's ARI event routing (AriRouter.route). */
  route: (ev: AriEvent) => void;
  sessions: Pick<SessionStore, 'many'>;
  /** The shared queue: the dead instance's waiting calls become this instance's there. */
  queues: Pick<QueueStore, 'setOwner'>;
  calls: Pick<CallService, 'restore' | 'reconcile'>;
  /** Moved channels arriving in this instance's app. */
  arrivals: Pick<MoveArrivals, 'expect'>;
  /** How long the calls wait for their channels' moves to land before they are resumed anyway. */
  landMs?: number;
  forget: (instance: string) => Promise<void>;
  log: Logger;
  /** The takeover lock's TTL: another survivor tries again after it if this one died mid-way. */
  lockMs?: number;
  /** How long the dead app's stream stays open for legs still ringing into it (an agent's, a callback's). */
  holdDeadAppMs?: number;
}

export interface TakenOver {
  instance: string;
  calls: number;
  ms: number;
}

/**
 * A survivor takes a dead instance's calls: claims them (one survivor only, the dead boot fenced),
 * makes the dead instance's snapshots its own in one Redis step, loads them as a restart would,
 * moves their channels (callers and agents' legs, bridged or not) into its own Stasis app and
 * reconciles them with Asterisk's channels. Waiting callers keep their queue entries (and so
 * their place); bridged calls stay bridged.
 */
export class Takeover {
  private readonly open = new Set<AppStream>();
  /**
   * Each channel this instance is moving in, and whether Asterisk took the move: a channel is moved
   * once. Moved a second time, into the app it is in already, it leaves that app and enters it
   * again, and the StasisEnd reads as its party hanging up (CI, rolling-restart: an agent's leg
   * answered as the takeover ran was moved by both paths, and its caller was cut).
   */
  private readonly claims = new Map<string, Promise<boolean>>();

  constructor(private readonly d: TakeoverDeps) {}

  async run(dead: string): Promise<TakenOver | undefined> {
    const t0 = performance.now();
    const k = this.d.keys;
    const raw = (await runScript(
      this.d.redis,
      TAKEOVER_CLAIM,
      [k.instanceAlive(dead), k.takeover(dead), k.instanceFenced(dead), k.instances],
      [dead, this.d.self, String(this.d.lockMs ?? 60_000)],
    )) as string | null;
    if (!raw) return undefined;
    const reg = JSON.parse(raw) as Registration;
    const log = this.d.log.child({ deadInstance: dead, deadApp: reg.app });
    log.warn('instance dead: taking its calls over');

    // Legs dialled by the dead instance still ring into its app: whatever enters it from now on
    // is handed to ours with its own arguments, and arrives here as if we had dialled it.
    let stream: AppStream | undefined;
    if (reg.app !== this.d.app) {
      stream = this.d.streamFor(reg.app, (ev) => this.fromDeadApp(ev));
      this.open.add(stream);
      stream.start();
      await stream.waitConnected(3000).catch((err: Error) => log.warn({ err: err.message }, "dead instance's app not reachable"));
    }
    const tStream = performance.now();

    const ids = (await runScript(this.d.redis, SESSIONS_REOWN, [k.sessions(dead), k.sessions(this.d.self)], [])) as string[];
    await this.d.calls.restore();
    const snaps = await this.d.sessions.many<CallState>(ids);
    const channels = [...snaps.values()].flatMap(channelsOf);
    const tLoaded = performance.now();
    // Asterisk runs a channel's commands in turn and moves it only once none is left. The prompt a
    // resumed call replaces is stopped first, and the calls are resumed once the moves landed (or
    // after a bound: a prompt a call still waits for, a position announcement, plays on), so the
    // move is not queued behind them. A channel moved later hangs up into the dead app meanwhile,
    // and a second takeover in that time (a rolling restart) would find it not yet moved.
    const replaced = [...snaps.values()].map((s) => ({ s, stop: replacedOnResume(s) }));
    await Promise.all(replaced.flatMap(({ stop }) => stop.map((id) => this.d.ari.stopPlayback(id).catch(() => undefined))));
    // Not waited for: a call still waiting for its prompt (a position announcement); nothing of its
    // own is queued behind that, and its move lands when the prompt ends (a kill -9 run waited 1 s).
    const landing = this.d.arrivals.expect(
      replaced.filter(({ s, stop }) => [...playbacksOf(s)].every((id) => stop.includes(id))).flatMap(({ s }) => channelsOf(s)),
    );
    await Promise.all(
      channels.map(async (ch) => {
        const prior = this.claims.get(ch);
        // Entered the dead app as the takeover ran, and moved from there with its own arguments.
        if (prior && (await prior)) return landing.forget(ch);
        if (!(await this.moveHere(ch, MOVED))) landing.forget(ch);
      }),
    );
    const unlanded = (await landing.within(this.d.landMs ?? 1000)).length;
    const tMoved = performance.now();
    this.d.calls.reconcile(await this.d.ari.listChannels(), new Set(ids));
    // The waiting calls' queue entries are ours before the dead instance leaves the list. The other
    // way round, a dispatch round in between (reconcile() kicks one) sees entries whose owner is
    // gone for good, skips them, and gives their agent to a later caller: the order broken (CI).
    await Promise.all(ids.map((id) => this.d.queues.setOwner(id, this.d.self)));
    await this.d.forget(dead);

    if (stream) {
      const s = stream;
      setTimeout(() => void this.close(s), this.d.holdDeadAppMs ?? 60_000).unref();
    }
    const ms = Math.round(performance.now() - t0);
    const phases = { streamMs: Math.round(tStream - t0), loadMs: Math.round(tLoaded - tStream), moveMs: Math.round(tMoved - tLoaded) };
    log.warn({ calls: ids.length, ms, ...phases, unlanded }, 'calls of the dead instance taken over');
    return { instance: dead, calls: ids.length, ms };
  }

  /** Held by this app from now on, moved into it as soon as Asterisk gets to it (calls/held-elsewhere.ts). */
  private moveHere(channelId: string, args: string): Promise<boolean> {
    const claim = claimMoved(this.d.ari, channelId, this.d.app, args, (what, err) =>
      this.d.log.debug({ channelId, err: err.message }, what),
    );
    this.claims.set(channelId, claim);
    return claim;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.open].map((s) => this.close(s)));
  }

  private async close(s: AppStream): Promise<void> {
    if (!this.open.delete(s)) return;
    // Nothing enters a dead app any more: the claims have served.
    if (!this.open.size) this.claims.clear();
    await s.stop();
  }

  /**
   * A channel entering the dead app is moved to ours (it arrives again with the same arguments);
   * hang-ups of legs still there reach the calls. Nothing else is read from it: its StasisEnds are
   * the moves' own.
   */
  private fromDeadApp(ev: AriEvent): void {
    if (ev.type === 'StasisStart') {
      void this.enteredDeadApp(ev);
      return;
    }
    if (ev.type === 'ChannelDestroyed' || ev.type === 'ChannelHangupRequest') this.d.route(ev);
  }

  /**
   * An agent's leg answered as the takeover moved its call's channels is being moved already: its
   * StasisStart here is handed to our calls instead of a second move, so the answer still counts
   * (it arrives with 'moved', which says nothing). A move refused because the leg was still ringing
   * is made now, with the leg's own arguments.
   */
  private async enteredDeadApp(ev: Extract<AriEvent, { type: 'StasisStart' }>): Promise<void> {
    const prior = this.claims.get(ev.channel.id);
    if (prior && (await prior)) return this.d.route(ev);
    await this.moveHere(ev.channel.id, ev.args.join(','));
  }
}

/** A call's channels a survivor moves: the caller's, and the agent's leg once one is rung. */
function channelsOf(s: CallState): string[] {
  return [s.channelId, ...(s.offer ? [s.offer.legId] : [])];
}
