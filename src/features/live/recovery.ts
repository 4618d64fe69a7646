import type { Logger } from 'pino';
import { uuidv7Time } from '../../shared/uuidv7.js';
import type { AgentService } from '../agents/agent-service.js';
import type { StuckAgents } from '../agents/stuck-agents.js';
import type { CallService } from '../calls/call-service.js';

export interface RecoveryDeps {
  /** Waits until every event published so far is stored, or the timeout passes (EventPublisher.drain). */
  drainEvents: (timeoutMs: number) => Promise<boolean>;
  agents: Pick<AgentService, 'liveStateLost'>;
  calls: Pick<CallService, 'relist'>;
  /** Puts back the places callers kept while the lost live state lived (`since`, when it began). */
  restoreKeptPlaces: (since: number, now: number) => Promise<{ queued: number; redialled: number }>;
  stuck: Pick<StuckAgents, 'repair'>;
  /** Loads the preferred agents from history again (PreferredSeed.load: logs, never throws). */
  reloadPreferred: () => void;
  /** Asks for a routing round. */
  kick: () => void;
  now: () => number;
  log: Logger;
}

/**
 * What LiveStateWatch runs when Redis lost the live state: puts back, in order, what this
 * instance knows and Redis no longer has. `lost` is the identity of the live state that went (a
 * UUIDv7, made when it began). A step that fails rejects, and nothing after it runs: the watch
 * logs it and tries the whole recovery again at its next check (each step may run twice).
 */
export function liveStateRecovery(d: RecoveryDeps): (lost: string) => Promise<void> {
  return async (lost) => {
    const t0 = d.now();
    // The agents' last states are read from history: everything published goes there first.
    const drained = await d.drainEvents(5000);
    const agentsRestored = await d.agents.liveStateLost();
    const callsQueued = await d.calls.relist(true);
    const callbacksKept = await d.restoreKeptPlaces(uuidv7Time(lost) ?? 0, t0);
    // A ring or a call that ended while Redis was away left its agent restored as busy.
    const agentsFreed = await d.stuck.repair();
    d.log.warn(
      { agentsRestored, agentsFreed: agentsFreed.length, callsQueued, callbacksKept, historyComplete: drained, ms: d.now() - t0 },
      'live state put back',
    );
    d.reloadPreferred();
    d.kick();
  };
}
