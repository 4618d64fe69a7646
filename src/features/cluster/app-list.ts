import type { AriClient } from '../../adapters/ari/client.js';

/** The dialplan global holding the live instances' Stasis apps (dialplans/stasis.conf). */
export const APPS_VARIABLE = 'TAX12366_APPS';

/**
 * Tells Asterisk which Stasis apps are live: the dialplan tries them in turn, each call starting at the next
 * (dialplans/stasis.conf). Every instance writes the same list, computed from the liveness leases
 * in Redis, whenever it changes; the list is a hint (a dead app in it costs one failed Stasis()
 * attempt, measured in docs/scale.md), so several writers need no lock.
 */
export class AppList {
  private last: string | undefined;
  private lastAt = 0;

  constructor(
    private readonly ari: Pick<AriClient, 'setGlobal'>,
    /** Written again this often even if unchanged: a dialplan reload or another writer may have changed it. */
    private readonly refreshMs = 10_000,
  ) {}

  async write(apps: readonly string[], now = Date.now()): Promise<void> {
    const value = [...new Set(apps)].sort().join('&');
    if (value === this.last && now - this.lastAt < this.refreshMs) return;
    await this.ari.setGlobal(APPS_VARIABLE, value);
    this.last = value;
    this.lastAt = now;
  }

  /** Asterisk restarted (the stream reconnected): its globals are back to the dialplan's. */
  forget(): void {
    this.last = undefined;
  }
}
