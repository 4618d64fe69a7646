import type { AriEvent } from '../adapters/ari/types.js';

type Type = AriEvent['type'];
type Of<T extends Type> = Extract<AriEvent, { type: T }>;

/**
 * Hands each ARI event to the feature that reads its type (device states to agents, channel
 * events to calls). Features say which types they read; that list is also what Asterisk is asked
 * to send (features/agents/asterisk-sync.ts), so an event no feature reads is neither sent nor
 * routed. Events are handed on synchronously, in arrival order (adapters/ari/events.ts).
 */
export class AriRouter {
  private readonly handlers = new Map<string, (ev: AriEvent) => void>();

  on<T extends Type>(types: readonly T[], handler: (ev: Of<T>) => void): void {
    for (const t of types) {
      if (this.handlers.has(t)) throw new Error(`ARI event ${t} is already routed`);
      this.handlers.set(t, handler as (ev: AriEvent) => void);
    }
  }

  /** The stream's onEvent. */
  readonly route = (ev: AriEvent): void => {
    this.handlers.get(ev.type)?.(ev);
  };

  /** Every type some feature reads. */
  types(): string[] {
    return [...this.handlers.keys()];
  }
}
