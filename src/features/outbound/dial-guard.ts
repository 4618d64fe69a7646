import type { Redis } from 'ioredis';
import type { AreaCodeTable, HomeArea } from '../../core/metrics/regions.js';
import { decideDial, withinDailyCap, type CallbackDecision, type DialDecision, type DialPolicy } from '../../core/outbound/dial-policy.js';
import { runScript } from '../../adapters/redis/scripts.js';
import { DIAL_TAKE } from '../../adapters/redis/dial-scripts.js';
import { addDays, dayStart, localDay } from '../reports/days.js';

export interface DialGuardDeps {
  redis: Redis;
  /** The counter of calls placed to one number on one local day (keys.ts dialsToday). */
  key: (day: string, digits: string) => string;
  policy: DialPolicy;
  table: AreaCodeTable;
  home: HomeArea;
  /** The hotline's time zone: a day's count ends at its local midnight. */
  tz: string;
  now?: () => number;
}

/**
 * The one gate every outbound call of the center passes (callbacks, IVR transfers): the decision
 * is core's (core/outbound/dial-policy.ts); this adds the configuration and the per-number daily
 * count in Redis. A dial string is built only from the digits it hands back.
 */
export class DialGuard {
  private readonly now: () => number;

  constructor(private readonly d: DialGuardDeps) {
    this.now = d.now ?? Date.now;
  }

  get policy(): DialPolicy {
    return this.d.policy;
  }

  /** Whether a number (an IVR transfer target) may be dialled, and its digits. */
  decide(raw: string): DialDecision {
    return decideDial(raw, this.d.policy, this.d.table, this.d.home);
  }

  /**
   * Whether a caller may be offered a callback, as their call arrives: the number, and today's
   * count so far (read only; the count is taken when a callback is dialled). Redis away counts as
   * nothing placed yet: the dial itself is checked again, atomically.
   */
  async mayCallBack(raw: string): Promise<CallbackDecision> {
    const first = this.decide(raw);
    if (!first.ok) return first;
    const n = await this.d.redis.get(this.key(first.digits)).then(Number, () => 0);
    return withinDailyCap(first, n || 0, this.d.policy);
  }

  /**
   * Just before a callback is dialled: the number once more, and one call off today's count,
   * atomically (DIAL_TAKE). Only an `ok` result may be dialled, and only its digits.
   */
  async takeCallback(raw: string): Promise<CallbackDecision> {
    const d = this.decide(raw);
    if (!d.ok) return d;
    const now = this.now();
    const day = localDay(now, this.d.tz);
    const endsAt = dayStart(addDays(day, 1), this.d.tz);
    const n = Number(
      await runScript(this.d.redis, DIAL_TAKE, [this.d.key(day, d.digits)], [String(this.d.policy.maxPerNumberPerDay), String(endsAt)]),
    );
    // DIAL_TAKE answers -1 when the day's count is already at the cap.
    return withinDailyCap(d, n < 0 ? this.d.policy.maxPerNumberPerDay : n - 1, this.d.policy);
  }

  private key(digits: string): string {
    return this.d.key(localDay(this.now(), this.d.tz), digits);
  }
}
