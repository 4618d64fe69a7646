import type pg from 'pg';
import { KeyedSerial } from '../../shared/keyed-serial.js';

/** pg_advisory_lock key: "12366" in the configuration namespace; nothing else takes it. */
const CONFIG_LOCK_KEY = 1_236_601;

/**
 * One configuration change at a time, across every instance sharing the database. Activating an
 * IVR version checks it against the active routing and activating a routing version checks it
 * against the active IVR: run side by side, each could pass against the other's old version and
 * leave an IVR sending calls to a queue the routing no longer has.
 *
 * Changes from this instance also queue here first, so at most one of its pool's connections
 * ever waits on the lock and the holder can always get one for its own queries.
 */
export class ConfigLock {
  private readonly local = new KeyedSerial();

  constructor(private readonly pool: pg.Pool) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.local.run('config', () => this.locked(fn));
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [CONFIG_LOCK_KEY]);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    // A connection that cannot unlock is closed instead of pooled: Postgres then frees the lock.
    let broken: Error | undefined;
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [CONFIG_LOCK_KEY]).catch((err: Error) => (broken = err));
      client.release(broken);
    }
  }
}
