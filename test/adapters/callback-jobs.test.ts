import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/adapters/ari/client.js';
import type { DomainEvent } from '../../src/core/events.js';
import { CallbackService, type CallbackJob } from '../../src/features/callbacks/callback-service.js';
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
function service(history: (events: DomainEvent[], callId: string) => number | undefined) {
  const dialled: string[] = [];
  const events: DomainEvent[] = [];
  const attemptsSoFar = async (callId: string) => history(events, callId);
  const ari = { originate: async (o: { channelId: string }) => void dialled.push(o.channelId) } as unknown as AriClient;
  const s = new CallbackService({
    connection: redis, prefix: `${prefix}:${services.length}`, ari, trunk: 'carrier', attempts: 3, retryDelayMs: 50, ringTimeoutS: 30,
    publish: (evs) => void events.push(...evs), ctx: () => ({ now: Date.now(), newId: randomUUID }), log: pino({ level: 'silent' }), attemptsSoFar,
  });
  services.push(s);
  s.start();
  return { s, dialled, events };
}

const job = (callId: string): CallbackJob => ({
  callId, queue: 'ntax-vat', skills: { vat: 4 }, priority: 0, enqueuedAt: Date.now(), caller: '057100000001', excludedAgents: [], owner: 'test', kind: 'callback',
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
    expect(events.map((e) => e.type === 'callback.attempted' ? [e.attempt, e.result] : e.type === 'callback.failed' ? e.attempts : e.type))
      .toEqual([[2, 'busy'], [3, 'busy'], 3]);
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
