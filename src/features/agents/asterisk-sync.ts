import type { Logger } from 'pino';
import type { AriClient } from '../../adapters/ari/client.js';
import type { AriEventStream } from '../../adapters/ari/events.js';
import { phoneReachable } from '../../adapters/ari/device-state.js';
import type { AriEvent } from '../../adapters/ari/types.js';
import { retry, type Backoff } from '../../shared/backoff.js';
import type { ActiveRouting } from '../routing/catalog.js';
import type { CallService } from '../calls/call-service.js';
import type { AgentService } from './agent-service.js';

export interface AsteriskSyncDeps {
  /** ARI's event stream (AriEventStream): emits 'connected' after every (re)connection. */
  stream: Pick<AriEventStream, 'connected' | 'start' | 'stop' | 'waitConnected'> & {
    on(event: 'connected', listener: () => void): unknown;
  };
  ari: Pick<AriClient, 'allowEvents' | 'listChannels'>;
  /** The ARI event types some feature reads (AriRouter.types): the only ones Asterisk is asked to send. */
  eventTypes: () => string[];
  agents: Pick<AgentService, 'syncWithAsterisk' | 'save' | 'move' | 'unfollowPhones'>;
  calls: Pick<CallService, 'reconcile'>;
  /** The Quick start's agent, set up and logged in at every sync when it has a password. */
  testAgent?: { id: string; password: string };
  activeRouting: () => Promise<Pick<ActiveRouting, 'config'>>;
  /** Asks for a routing round: the agents pushed may take waiting calls. */
  kick: () => void;
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
        async () => this.d.calls.reconcile(await ari.listChannels()),
      );
      this.syncing = this.retry(
        'sync with Asterisk',
        () => stream.connected && !this.stopped,
        () => this.syncAgents(),
      );
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
