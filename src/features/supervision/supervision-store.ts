import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../adapters/redis/keys.js';
import { SESSION_UNLIST_GONE, runScript } from '../../adapters/redis/scripts.js';
import type { SupervisionMode, SupervisionPhase } from '../../core/supervision/modes.js';

/** A live supervision as every instance sees it (the wallboard lists them from any instance). */
export interface SupervisionView {
  id: string;
  callId: string;
  agentId: string;
  mode: SupervisionMode;
  phone: string;
  supervisor: string;
  state: SupervisionPhase;
  startedAt: string;
  /** The instance that holds the call, and so runs the supervision. */
  instance: string;
}

/** Longer than any supervision; a stale entry (its instance died) goes by itself. */
const TTL_S = 4 * 3600;

/** Live supervisions in Redis: one JSON key each, and the set of their ids. */
export class SupervisionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async put(v: SupervisionView): Promise<void> {
    await this.redis.multi().set(this.keys.supervision(v.id), JSON.stringify(v), 'EX', TTL_S).sadd(this.keys.supervisions, v.id).exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.keys.supervision(id)).srem(this.keys.supervisions, id).exec();
  }

  async get(id: string): Promise<SupervisionView | undefined> {
    const raw = await this.redis.get(this.keys.supervision(id));
    return raw ? (JSON.parse(raw) as SupervisionView) : undefined;
  }

  async list(): Promise<SupervisionView[]> {
    const ids = await this.redis.smembers(this.keys.supervisions);
    if (!ids.length) return [];
    const raw = await this.redis.mget(...ids.map((id) => this.keys.supervision(id)));
    // Ids whose entry expired are taken off the set, each checked again as it goes (Lua).
    await Promise.all(
      ids
        .filter((_, i) => !raw[i])
        .map((id) => runScript(this.redis, SESSION_UNLIST_GONE, [this.keys.supervisions, this.keys.supervision(id)], [id])),
    );
    return raw.filter((x): x is string => !!x).map((x) => JSON.parse(x) as SupervisionView);
  }
}
