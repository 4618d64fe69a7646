import type { Logger } from 'pino';
import { pairCallsWithAgents } from '../../core/routing/pair.js';
import type { LiveState } from '../../adapters/redis/live-state.js';

export interface DispatcherDeps {
  live: LiveState;
  queues: () => Promise<string[]>;
  now: () => number;
  log: Logger;
  /** Hands a reserved agent to the call; the call decides whether to ring it. */
  deliver: (callId: string, agentId: string) => void;
}

/**
 * Matches waiting calls with idle agents whenever either may have changed. The pairing is
 * the core's; the claim in Redis is atomic, so a pair that lost a race is simply skipped.
 */
export class Dispatcher {
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: DispatcherDeps) {}

  /** Safety net for missed kicks (e.g. an agent freed by another instance). */
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.kick(), intervalMs);
  }
  stop(): void {
    clearInterval(this.timer);
  }

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.round()
      .catch((err) => this.d.log.error({ err }, 'dispatch round failed'))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async round(): Promise<void> {
    for (const queue of await this.d.queues()) {
      const [calls, agents] = await Promise.all([this.d.live.waiting(queue), this.d.live.idleAgents()]);
      if (!calls.length || !agents.length) continue;
      for (const { call, agent } of pairCallsWithAgents(calls, agents)) {
        if (await this.d.live.claim(queue, call.callId, agent.agentId, this.d.now())) {
          this.d.deliver(call.callId, agent.agentId);
        }
      }
    }
  }
}
