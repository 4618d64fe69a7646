import type { TestRig } from './service.js';
import { waitFor } from './service.js';

export interface StoredEvent {
  type: string;
  at: string;
  [k: string]: unknown;
}

/** A call's events as stored in Postgres, in order; `prefix` filters by type (e.g. 'ivr.'). */
export async function eventsOf(rig: TestRig, callId: string, prefix = ''): Promise<StoredEvent[]> {
  const r = await rig.pool.query<{ body: StoredEvent }>('SELECT body FROM events WHERE call_id = $1 AND type LIKE $2 ORDER BY seq', [
    callId,
    `${prefix}%`,
  ]);
  return r.rows.map((x) => x.body);
}

export async function typesOf(rig: TestRig, callId: string, prefix = ''): Promise<string[]> {
  return (await eventsOf(rig, callId, prefix)).map((e) => e.type);
}

/** The same call's events as they reached the Redis stream. */
export async function streamEventsOf(rig: TestRig, callId: string, prefix = ''): Promise<StoredEvent[]> {
  const entries = await rig.redis.xrange(`${rig.prefix}:events`, '-', '+');
  return entries
    .map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, i) => [f[2 * i], f[2 * i + 1]])))
    .filter((f) => f.callId === callId && f.type!.startsWith(prefix))
    .map((f) => JSON.parse(f.json!) as StoredEvent);
}

export async function callIdOf(rig: TestRig, caller: string, timeoutMs = 15_000): Promise<string> {
  return waitFor(
    `a call from ${caller}`,
    async () => {
      const r = await rig.pool.query<{ call_id: string }>('SELECT call_id FROM calls WHERE caller = $1', [caller]);
      return r.rows[0]?.call_id;
    },
    timeoutMs,
  );
}

export async function waitForEvent(rig: TestRig, callId: string, type: string, timeoutMs = 20_000): Promise<StoredEvent> {
  return waitFor(`${type} for ${callId}`, async () => (await eventsOf(rig, callId)).find((e) => e.type === type), timeoutMs);
}

export async function callRow(rig: TestRig, callId: string): Promise<Record<string, any>> {
  return (await rig.pool.query('SELECT * FROM calls WHERE call_id = $1', [callId])).rows[0];
}
