import type { Logger } from 'pino';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AriEventStream } from '../../adapters/ari/events.js';
import { phoneReachable } from '../../adapters/ari/device-state.js';
import type { AriEvent } from '../../adapters/ari/types.js';
import { retry, sleep, type Backoff } from '../../shared/backoff.js';
import type { ActiveRouting } from '../routing/catalog.js';
import type { CallService } from '../calls/call-service.js';
import type { AgentService } from './agent-service.js';

export interface AsteriskSyncDeps {
  /** ARI's event stream (AriEventStream): emits 'connected' after every (re)connection. */
  stream: Pick<AriEventStream, 'connected' | 'start' | 'stop' | 'waitConnected'> & {
    on(event: 'connected' | 'disconnected', listener: () => void): unknown;
  };
  ari: Pick<AriClient, 'allowEvents' | 'listChannels' | 'startedAt'>;
  /** The ARI event types some feature reads (AriRouter.types): the only ones Asterisk is asked to send. */
  eventTypes: () => string[];
  agents: Pick<AgentService, 'syncWithAsterisk' | 'save' | 'move' | 'unfollowPhones'>;
  calls: Pick<CallService, 'reconcile'>;
  /** The Quick start's agent, set up and logged in at every sync when it has a password. */
  testAgent?: { id: string; password: string };
  activeRouting: () => Promise<Pick<ActiveRouting, 'config'>>;
  /** Asks for a routing round: the agents pushed may take waiting calls. */
  kick: () => void;
  /** The event stream dropped (the node, or the way to it, is gone): its registrations no longer stand. */
  nodeLost?: () => Promise<void>;
  /**
   * Asterisk's start time as this instance last saw it, kept across the instance's own restarts
   * (Redis): without it, an instance restarted together with Asterisk would take the calls it
   * restores and finds gone for hang-ups.
   */
  lastStart?: { read(): Promise<string | undefined>; write(startedAt: string): Promise<void> };
  /** How long Asterisk may answer nothing, events or requests, before its calls are recorded as lost (ASTERISK_LOST_AFTER_MS). */
  lostAfterMs?: number;
  /** For tests: the wait between two probes of a silent Asterisk, and the clock. */
  probeEveryMs?: number;
  now?: () => number;
  log: Logger;
  connectTimeoutMs?: number;
  /** For tests: the retries' delays. */
  backoff?: () => Backoff;
}

/**
 * Asterisk forgets pushed endpoints when it restarts and keeps no events for a disconnected app:
 * after every (re)connection of the event stream, the event filter is set again, calls are
 * reconciled with Asterisk's channels, agents are pushed again and registrations re-read, each
 * retried until done or the stream drops (or shutdown, for the agents).
 */
export class AsteriskSync {
  private stopped = false;
  /** The sync after the last (re)connection: stop() waits for it, or it could subscribe again after the unfollow. */
  private syncing: Promise<void> = Promise.resolve();
  /** Asterisk's start time at the last connection: another one now means it restarted meanwhile. */
  private asteriskStartedAt: string | undefined;
  /** A silent Asterisk is being probed (watchForLoss): one probe loop however often the stream drops. */
  private watching = false;

  constructor(private readonly d: AsteriskSyncDeps) {}

  /** Connects the event stream; resolves at the first connection, rejects if none within the timeout. */
  async start(): Promise<void> {
    const { stream, ari, log } = this.d;
    stream.on('connected', () => {
      // Registrations arrive as device states; ApplicationReplaced is the stream's own concern.
      void this.retry(
        'ARI event filter',
        () => stream.connected,
        async () => {
          const app = await ari.allowEvents([...this.d.eventTypes(), 'ApplicationReplaced']);
          log.info({ allowed: app.events_allowed?.map((e) => e.type) }, 'ARI events filtered');
        },
      );
      void this.retry(
        'reconcile calls',
        () => stream.connected,
        async () => {
          const [startedAt, channels] = await Promise.all([ari.startedAt(), ari.listChannels()]);
          // Restarted since we last saw it: the calls whose channels are gone were cut by that,
          // not hung up while we were away, and are recorded so.
          const before = this.asteriskStartedAt ?? (await this.d.lastStart?.read());
          const restarted = before !== undefined && startedAt !== before;
          this.asteriskStartedAt = startedAt;
          if (restarted) log.warn({ startedAt }, 'Asterisk restarted: calls whose channels are gone are recorded as cut');
          this.d.calls.reconcile(channels, undefined, restarted ? 'asterisk_restarted' : undefined);
          if (startedAt !== before) await this.d.lastStart?.write(startedAt);
        },
      );
      this.syncing = this.retry(
        'sync with Asterisk',
        () => stream.connected && !this.stopped,
        () => this.syncAgents(),
      );
    });
    const nodeLost = this.d.nodeLost;
    stream.on('disconnected', () => {
      if (nodeLost) void this.retry("mark the node's agents unreachable", () => !stream.connected, nodeLost);
      void this.watchForLoss();
    });
    stream.start();
    await stream.waitConnected(this.d.connectTimeoutMs ?? 10_000);
  }

  /** Shutting down: a sync still retrying gives up. */
  halt(): void {
    this.stopped = true;
  }

  /**
   * Phones are unfollowed once the sync can no longer follow them again; channels stay
   * subscribed, so the next start picks up the calls still in our app.
   */
  async stop(): Promise<void> {
    await this.syncing;
    if (this.d.stream.connected) {
      await this.d.agents
        .unfollowPhones()
        .catch((err: Error) => this.d.log.warn({ err: err.message }, 'device-state subscriptions not dropped'));
    }
    await this.d.stream.stop();
  }

  private async syncAgents(): Promise<void> {
    const { agents, testAgent } = this.d;
    await agents.syncWithAsterisk();
    if (testAgent) {
      // The Quick start's agent serves every queue with every skill, so any call reaches it.
      const { config: rc } = await this.d.activeRouting();
      await agents.save({
        agentId: testAgent.id,
        name: `测试坐席 ${testAgent.id}`,
        password: testAgent.password,
        skills: Object.fromEntries(rc.skills.map((k) => [k.code, 5])),
        queues: rc.queues.map((q) => (q as { queue: string }).queue),
      });
      await agents.move(testAgent.id, 'login', 'boot');
    }
    this.d.kick();
  }

  /**
   * The event stream dropped: Asterisk is probed (its start time, over HTTP) until the stream is
   * back. While it answers it is alive, its channels too, and the reconnection reconciles the calls.
   * Silent for lostAfterMs, it died or its host went away: the calls on it are recorded as lost
   * now, not whenever it comes back (it may never). Their channels, should they still exist when
   * it does, belong to no call then and are hung up by that reconciliation.
   */
  private async watchForLoss(): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    const { stream, ari, log } = this.d;
    const lostAfterMs = this.d.lostAfterMs ?? 10_000;
    const every = this.d.probeEveryMs ?? Math.min(1000, lostAfterMs / 4);
    const now = this.d.now ?? Date.now;
    const gone = () => stream.connected || this.stopped;
    try {
      let silentSince = now();
      while (!gone()) {
        await sleep(every);
        if (gone()) return;
        // ARI's requests time out (5 s, adapters/ari/http.ts): a host that went away is silence too.
        const answered = await ari.startedAt().then(
          () => true,
          () => false,
        );
        if (gone()) return;
        if (answered) silentSince = now();
        else if (now() - silentSince >= lostAfterMs) {
          log.error({ silentMs: now() - silentSince }, 'Asterisk answers nothing: the calls on it are recorded as lost');
          this.d.calls.reconcile([], undefined, 'asterisk_lost');
          return;
        }
      }
    } finally {
      this.watching = false;
    }
  }

  private retry(what: string, stillWanted: () => boolean, task: () => Promise<void>): Promise<void> {
    return retry(task, { stillWanted, log: this.d.log, what, ...(this.d.backoff ? { backoff: this.d.backoff() } : {}) });
  }
}

/** A phone's registration, as Asterisk reports it (a device state), to the agent whose phone it is. */
export function onDeviceState(
  agents: Pick<AgentService, 'deviceState'>,
  log: Logger,
): (ev: Extract<AriEvent, { type: 'DeviceStateChanged' }>) => void {
  return (ev) => {
    const { name, state } = ev.device_state;
    const agentId = name.replace(/^PJSIP\//, '');
    void agents.deviceState(agentId, phoneReachable(state)).catch((err) => log.warn({ err }, 'registration update failed'));
  };
}
