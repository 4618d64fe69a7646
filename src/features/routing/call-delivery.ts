import type { ExpiryAction } from '../../core/routing/model.js';

/**
 * What the dispatcher needs of calls: hand a reserved agent to a call, or fire a queue rule for
 * it. Implemented by CallService (features/calls/call-service.ts), which is built after the
 * dispatcher, so the dispatcher reaches it through a late-bound port (shared/late.ts).
 */
export interface CallDelivery {
  deliverAgent(callId: string, agentId: string): void;
  expire(callId: string, action: ExpiryAction): void;
}
