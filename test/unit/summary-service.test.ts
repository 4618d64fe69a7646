import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/core/events.js';
import { EDIT_WINDOW_MS } from '../../src/core/summaries/rules.js';
import type { StoredSummary, SummaryCall, SummaryRecord } from '../../src/features/summaries/summary-repo.js';
import { SummaryError, SummaryService, type KbLookup } from '../../src/features/summaries/summary-service.js';

// The service with a knowledge base and a store in memory: the adapter test (test/adapters/summaries.test.ts) has the real ones.
const T0 = 1_800_000_000_000;
const CATS: Record<number, string[]> = { 7: ['问题库', '国税', '增值税', '进项税额抵扣'], 8: ['问题库', '地税', '个人所得税'] };
const ARTICLES: Record<number, string> = { 1: '海关完税凭证能否抵扣', 2: '农产品收购发票抵扣', 3: '个税专项附加扣除' };

function setup(opened: number[] = []) {
  const calls = new Map<string, SummaryCall>([
    ['c1', { callId: 'c1', agentId: '1001', queue: 'ntax-vat', startedAt: T0 - 60_000, endedAt: T0 }],
    ['live', { callId: 'live', agentId: null, queue: 'ntax-vat', startedAt: T0, endedAt: null }],
  ]);
  const saved = new Map<string, StoredSummary>();
  const repo = {
    call: async (id: string) => calls.get(id),
    get: async (id: string) => saved.get(id),
    save: async (call: SummaryCall & { agentId: string }, s: SummaryRecord, by: string) => {
      const prev = saved.get(call.callId);
      const version = (prev?.version ?? 0) + 1;
      const at = new Date(now).toISOString();
      saved.set(call.callId, {
        ...s,
        callId: call.callId,
        agentId: call.agentId,
        queue: call.queue,
        version,
        createdAt: prev?.createdAt ?? at,
        createdBy: prev?.createdBy ?? by,
        updatedAt: at,
        updatedBy: by,
        versions: [...(prev?.versions ?? []), { version, editedAt: at, editedBy: by }],
      });
      return version;
    },
  };
  const kb: KbLookup = {
    categoryPath: async (id) => CATS[id],
    articles: async (ids) => ids.filter((id) => ARTICLES[id]).map((id) => ({ id, question: ARTICLES[id]! })),
    openedOnCall: async () => opened,
  };
  const events: DomainEvent[] = [];
  let now = T0 + 1000;
  let n = 0;
  const service = new SummaryService({ repo, kb, publish: (e) => events.push(...e), now: () => now, newId: () => `id-${n++}` });
  return { service, saved, events, setNow: (t: number) => (now = t) };
}

const agent = { id: 't-agent', role: 'agent', agentId: '1001' };
const body = { categoryId: 7, question: '  海关完税凭证能否抵扣？ ', resolution: 'answered', notes: '已告知', articleIds: [2] };

async function refused(p: Promise<unknown>): Promise<SummaryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SummaryError);
  return err as SummaryError;
}

describe('summary service', () => {
  it('stores the path and questions as they are now, links the articles opened on the call, publishes call.summarized', async () => {
    const { service, saved, events } = setup([1, 2, 99]);
    const { before, after } = await service.put('c1', body, agent);
    expect(before).toBeNull();
    expect(after).toMatchObject({
      categoryPath: CATS[7],
      question: '海关完税凭证能否抵扣？',
      // Ticked first; then opened ones; an opened article since deleted (99) is dropped.
      articles: [
        { id: 2, question: ARTICLES[2] },
        { id: 1, question: ARTICLES[1] },
      ],
      version: 1,
      agentId: '1001',
    });
    expect(saved.size).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'call.summarized',
      callId: 'c1',
      agentId: '1001',
      queue: 'ntax-vat',
      categoryId: 7,
      categoryPath: CATS[7],
      resolution: 'answered',
      articleIds: [2, 1],
      version: 1,
      by: 't-agent',
      v: 1,
    });
  });

  it('a second save is a new version, with the one before returned for the audit log', async () => {
    const { service } = setup();
    await service.put('c1', body, agent);
    const { before, after } = await service.put('c1', { ...body, categoryId: 8, resolution: 'work_order' }, agent);
    expect(before).toMatchObject({ version: 1, categoryId: 7 });
    expect(after).toMatchObject({ version: 2, categoryId: 8, categoryPath: CATS[8], resolution: 'work_order' });
    expect(after.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses with the right status and stores nothing: bad field 400, unknown category/article 400, another agent 403, late 403, unknown call 404, live call 409', async () => {
    const { service, saved, events, setNow } = setup();
    expect(await refused(service.put('c1', { ...body, question: 'a\nb' }, agent))).toMatchObject({ status: 400, field: 'question' });
    expect(await refused(service.put('c1', { ...body, categoryId: 404 }, agent))).toMatchObject({ status: 400, field: 'categoryId' });
    expect(await refused(service.put('c1', { ...body, articleIds: [1, 77] }, agent))).toMatchObject({ status: 400, field: 'articleIds/1' });
    expect(await refused(service.put('c1', body, { ...agent, agentId: '1002' }))).toMatchObject({ status: 403 });
    expect(await refused(service.put('nope', body, agent))).toMatchObject({ status: 404 });
    expect(await refused(service.put('live', body, agent))).toMatchObject({ status: 409 });
    setNow(T0 + EDIT_WINDOW_MS + 1);
    expect(await refused(service.put('c1', body, agent))).toMatchObject({ status: 403, message: expect.stringMatching(/edit window/) });
    expect(saved.size).toBe(0);
    expect(events).toHaveLength(0);
    // A supervisor may still correct it.
    await service.put('c1', body, { id: 't-sup', role: 'supervisor' });
    expect(saved.get('c1')?.updatedBy).toBe('t-sup');
  });

  it('reading says whether the asker may write it now, and until when', async () => {
    const { service } = setup();
    expect(await service.get('c1', agent)).toEqual({
      callId: 'c1',
      summary: null,
      edit: { allowed: true, until: new Date(T0 + EDIT_WINDOW_MS).toISOString(), reason: null },
    });
    expect((await service.get('c1', { role: 'agent', agentId: '1002' })).edit).toMatchObject({ allowed: false, until: null });
    await expect(service.get('nope', agent)).rejects.toMatchObject({ status: 404 });
  });
});
