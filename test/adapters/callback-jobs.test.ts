import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/adapters/ari/client.js';
import type { DomainEvent } from '../../src/core/events.js';
import { CallbackService, type CallbackJob } from '../../src/features/callbacks/callback-service.js';
import { redisKeys } from '../../src/adapters/redis/keys.js';
import { DEFAULT_HOME } from '../../src/core/metrics/regions.js';
import { DEFAULT_DIAL_POLICY, type DialPolicy } from '../../src/core/outbound/dial-policy.js';
import { DialGuard } from '../../src/features/outbound/dial-guard.js';
import { loadAreaCodes } from '../../src/features/reports/service.js';
import { requireEnv } from '../support/rig.js';
import { unlinkPrefix } from '../support/redis.js';
import { waitFor } from '../support/service.js';

// Real Redis and BullMQ; Asterisk is stood in for by a recorder of originate requests, each
// settled by the test as the taxpayer's line would (the end-to-end tests dial real phones).
const redis = new Redis(requireEnv('REDIS_URL'), { maxRetriesPerRequest: null });
const prefix = `t12test:${randomBytes(4).toString('hex')}`;
const services: CallbackService[] = [];
afterAll(async () => {
  for (const s of services) await s.stop();
  await unlinkPrefix(redis, prefix);
  redis.disconnect();
});

/** `history`: what attemptsSoFar answers, given the events the service published so far. */
function service(history: (events: DomainEvent[], callId: string) => number | undefined, policy: DialPolicy = DEFAULT_DIAL_POLICY) {
  const dialled: string[] = [];
  const endpoints: string[] = [];
  const events: DomainEvent[] = [];
  const attemptsSoFar = async (callId: string) => history(events, callId);
  const ari = {
    originate: async (o: { channelId: string; endpoint: string }) => void (dialled.push(o.channelId), endpoints.push(o.endpoint)),
  } as unknown as AriClient;
  // The real guard on real Redis, each service with counts of its own.
  const guard = new DialGuard({
    redis,
    key: redisKeys(`${prefix}:${services.length}`).dialsToday,
    policy,
    table: loadAreaCodes(),
    home: DEFAULT_HOME,
    tz: 'Asia/Shanghai',
  });
  const s = new CallbackService({
    takeDial: (caller) => guard.takeCallback(caller),
    connection: redis,
    prefix: `${prefix}:${services.length}`,
    ari,
    trunk: 'carrier',
    attempts: 3,
    retryDelayMs: 50,
    ringTimeoutS: 30,
    publish: (evs) => void events.push(...evs),
    ctx: () => ({ now: Date.now(), newId: randomUUID }),
    log: pino({ level: 'silent' }),
    attemptsSoFar,
  });
  services.push(s);
  s.start();
  return { s, dialled, endpoints, events };
}

const job = (callId: string, caller = '057100000001'): CallbackJob => ({
  callId,
  queue: 'ntax-vat',
  skills: { vat: 4 },
  priority: 0,
  enqueuedAt: Date.now(),
  caller,
  excludedAgents: [],
  owner: 'test',
  kind: 'callback',
});

describe('callback jobs scheduled again after Redis lost the first (BullMQ)', () => {
  it('make only the attempts left, numbered on from history, and give up with the whole count', async () => {
    // History as the service's own events make it: one attempt before the loss, then these.
    const { s, dialled, events } = service((evs) => 1 + evs.filter((e) => e.type === 'callback.attempted').length);
    expect(await s.redial(job('lost-1'), 3)).toBe(false);
    expect(await s.redial(job('lost-2'), 1)).toBe(true);
    for (let n = 1; n <= 2; n++) {
      await waitFor(`attempt ${n} dialled`, async () => dialled.length === n, 5000);
      expect(s.failed(dialled[n - 1]!, 17)).toBe(true);
      await waitFor(`attempt ${n} recorded`, async () => events.filter((e) => e.type === 'callback.attempted').length === n, 5000);
    }
    await waitFor('given up', async () => events.some((e) => e.type === 'callback.failed'), 5000);
    expect(
      events.map((e) => (e.type === 'callback.attempted' ? [e.attempt, e.result] : e.type === 'callback.failed' ? e.attempts : e.type)),
    ).toEqual([[2, 'busy'], [3, 'busy'], 3]);
    expect(dialled).toHaveLength(2);
  });

  it('dial nobody once history says the place is no longer owed (an attempt in flight at the loss was answered)', async () => {
    const { s, dialled, events } = service(() => undefined);
    expect(await s.redial(job('lost-3'), 1)).toBe(true);
    await waitFor('job done', async () => (await redis.keys(`${prefix}:1:callbacks:completed`)).length === 1, 5000);
    expect(dialled).toEqual([]);
    expect(events).toEqual([]);
  });

  it('while this instance rings the taxpayer, the attempts scheduled again wait until that ring is over', async () => {
    // The place not ringing is settled by the time its job runs: nothing is left ringing at the end.
    const { s, dialled } = service((_, callId) => (callId === 'not-ringing' ? undefined : 0));
    await s.dial(job('ringing'));
    await waitFor('first attempt dialled', async () => dialled.length === 1, 5000);
    expect(s.dialling('ringing')).toBe(true);
    const q = new Queue('callbacks', { connection: redis, prefix: `${prefix}:2` });
    try {
      // Redis loses the job while its attempt rings; the place's attempts are scheduled again.
      await q.obliterate({ force: true });
      expect(await s.redial(job('ringing'), 0)).toBe(true);
      expect(await s.redial(job('not-ringing'), 0)).toBe(true);
      // Ring timeout (30 s) + 5 s, against the retry delay (50 ms here).
      expect((await q.getJob('ringing'))?.opts.delay).toBe(35_000);
      expect((await q.getJob('not-ringing'))?.opts.delay).toBe(50);
      s.failed(dialled[0]!, 19);
      expect(s.dialling('ringing')).toBe(false);
    } finally {
      await q.obliterate({ force: true });
      await q.close();
    }
  });
});

describe('callback jobs and the dial policy (defence in depth: the place was kept before the policy, or the day is used up)', () => {
  it('a number the policy refuses is never dialled, the refusal is an event, and the job is not retried', async () => {
    const { s, dialled, events } = service(() => 0);
    const refused = {
      'r-intl': '0090123456789',
      'r-anon': 'anonymous',
      'r-uri': '1/sip:x@127.0.0.9',
      'r-plus': '+442071234567',
      'r-premium': '16812345',
    };
    for (const [callId, caller] of Object.entries(refused)) await s.dial(job(callId, caller));
    await waitFor('every refusal recorded', async () => events.filter((e) => e.type === 'callback.refused').length === 5, 5000);
    expect(Object.fromEntries(events.map((e) => (e.type === 'callback.refused' ? [e.callId, e.reason] : [e.type, e.type])))).toEqual({
      'r-intl': 'international',
      'r-anon': 'withheld',
      'r-uri': 'malformed',
      'r-plus': 'international',
      'r-premium': 'denied_prefix',
    });
    // Retries would come after 50 ms: give them time to show.
    await new Promise((r) => setTimeout(r, 300));
    expect(dialled).toEqual([]);
    expect(events).toHaveLength(5);
  });

  it("dials only the policy's digits, and no more calls per number per day than the cap, each attempt counted", async () => {
    const { s, endpoints, dialled, events } = service(() => 0, { ...DEFAULT_DIAL_POLICY, maxPerNumberPerDay: 2 });
    await s.dial(job('cap-1', '+8613857112345'));
    await waitFor('first dialled', async () => dialled.length === 1, 5000);
    s.answered(dialled[0]!);
    // The same number as received differently: one count.
    await s.dial(job('cap-2', '13857112345'));
    await waitFor('second dialled', async () => dialled.length === 2, 5000);
    s.answered(dialled[1]!);
    await s.dial(job('cap-3', '13857112345'));
    await waitFor('third refused', async () => events.some((e) => e.type === 'callback.refused'), 5000);
    expect(endpoints).toEqual(['PJSIP/13857112345@carrier', 'PJSIP/13857112345@carrier']);
    expect(events.find((e) => e.type === 'callback.refused')).toMatchObject({ callId: 'cap-3', reason: 'daily_cap' });
    expect(dialled).toHaveLength(2);
  });
});
