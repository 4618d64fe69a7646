import type { WaitingDetails } from '../routing/queue-store.js';

/**
 * What calls need of the queues: put a call in one (which may reserve an agent in the same step)
 * and ask for a routing round. Implemented by the dispatcher (features/routing/dispatcher.ts);
 * calls own this interface so they need not know the dispatcher.
 */
export interface CallQueue {
  /** Resolves to the call's position at entry. */
  enqueue(details: Omit<WaitingDetails, 'positionAtEntry'>, score: number): Promise<number>;
  kick(): void;
}
