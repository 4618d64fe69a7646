import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import type { AuditEntry } from '../../src/features/audit/audit-repo.js';
import { VersionedCatalog, type VersionKind } from '../../src/features/versioned-config/catalog.js';
import { CONFIG_BODY_LIMIT, configVersionRoutes } from '../../src/features/versioned-config/routes.js';
import { MemoryPointer, MemoryVersionStore } from '../support/memory-versions.js';

/**
 * The versioned-configuration API over a made-up configuration (a list of queue names that
 * must be in `other`), mounted where the IVR's is: status codes, error shapes with paths,
 * audit entries and warnings as ops see them, with no database.
 */
const TOKEN = 'unit-test-token-0123456789';
const other = new Set(['a', 'b']);
const inUse = new Set<string>();
type Doc = { name: string; queues: string[] };
const kind: VersionKind<Doc, Doc> = {
  label: 'test',
  validate: (input) => {
    const d = input as Partial<Doc> | null;
    if (typeof d?.name !== 'string' || !Array.isArray(d.queues))
      return { ok: false, errors: [{ path: '', message: 'must have a name and queues' }] };
    const errors = d.queues.flatMap((q, i) =>
      typeof q === 'string' ? [] : [{ path: `/queues/${i}`, nodeId: String(i), field: 'queue', message: 'must be a string' }],
    );
    return errors.length ? { ok: false, errors } : { ok: true, value: { name: d.name, queues: d.queues } };
  },
  document: (d) => d,
  revive: (d) => ({ ok: true, value: d }),
  crossCheck: {
    atUpload: false,
    check: async (d) => d.queues.flatMap((q, i) => (other.has(q) ? [] : [{ path: `/queues/${i}`, message: `queue "${q}" is unknown` }])),
  },
  activated: async (d) =>
    [...inUse].filter((q) => !d.queues.includes(q)).map((q) => ({ path: '/queues', message: `agents still serve "${q}"` })),
  whenUnreachable: 'throw',
};
const store = new MemoryVersionStore<Doc>();
const audited: AuditEntry[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  // As a first start leaves it: the shipped version stored and active.
  await store.insert({ name: 'shipped', queues: ['a'] }, 'system');
  await store.activate(1, 'system', 'first_start');
  const catalog = new VersionedCatalog(kind, {
    store,
    pointer: new MemoryPointer(),
    log: pino({ level: 'silent' }),
    serialize: (f) => f(),
  });
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [TOKEN]: { id: 'ops1', role: 'admin', via: 'bootstrap' } }, audited),
    probes: [],
    api: [configVersionRoutes('/api/ivr', 'test configuration', catalog)],
  });
});
afterAll(async () => {
  await app?.close();
});

const call = async (method: 'GET' | 'POST', url: string, body?: string | object, type = 'application/json') => {
  const r = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    payload: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  });
  return { status: r.statusCode, body: r.body ? r.json() : undefined };
};

describe('versioned-configuration routes', () => {
  it('rejects an invalid upload with a 422 listing every problem at its path, and stores nothing', async () => {
    const r = await call('POST', '/api/ivr/versions', { name: 'x', queues: ['a', 7, 8] });
    expect(r).toEqual({
      status: 422,
      body: {
        error: 'test configuration rejected: 2 problem(s)',
        errors: [
          { path: '/queues/1', nodeId: '1', field: 'queue', message: 'must be a string' },
          { path: '/queues/2', nodeId: '2', field: 'queue', message: 'must be a string' },
        ],
      },
    });
    expect(store.docs).toHaveLength(1);
    expect(audited).toEqual([]);
  });

  it('takes YAML, answers 400 with the line of a YAML error', async () => {
    const bad = await call('POST', '/api/ivr/versions', 'name: x\nqueues: [a\n', 'application/yaml');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^YAML is not well-formed at line \d+/);
    const good = await call('POST', '/api/ivr/versions?comment=first', 'name: one\nqueues: [a]\n', 'application/yaml');
    expect(good).toEqual({ status: 201, body: { version: 2 } });
    expect(audited.at(-1)).toMatchObject({
      action: 'ivr.upload',
      targetKind: 'ivr',
      targetId: '2',
      actor: 'ops1',
      before: null,
      after: { version: 2, comment: 'first', config: { name: 'one', queues: ['a'] } },
    });
  });

  it('refuses a body over the limit with a 413 naming it, JSON or YAML, and stores nothing', async () => {
    const before = store.docs.length;
    const big = { name: 'big', queues: ['a'], padding: 'x'.repeat(CONFIG_BODY_LIMIT) };
    const expected = {
      status: 413,
      body: { error: `the test configuration must be at most ${CONFIG_BODY_LIMIT} bytes (1 MiB)`, code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
    };
    expect(await call('POST', '/api/ivr/versions', big)).toEqual(expected);
    expect(await call('POST', '/api/ivr/versions', `name: big\nqueues: [a]\npadding: ${big.padding}\n`, 'application/yaml')).toEqual(
      expected,
    );
    expect(store.docs.length).toBe(before);
  });

  it('lists versions with the active one marked, and reads one as stored', async () => {
    expect((await call('POST', '/api/ivr/versions', { name: 'two', queues: ['a', 'zzz'] })).status).toBe(201);
    expect((await call('POST', '/api/ivr/versions/2/activate')).status).toBe(200);
    const list = await call('GET', '/api/ivr/versions');
    expect(list.body.map((v: { version: number; active: boolean; comment: string | null }) => [v.version, v.active, v.comment])).toEqual([
      [1, false, null],
      [2, true, 'first'],
      [3, false, null],
    ]);
    expect(await call('GET', '/api/ivr/versions/3')).toEqual({ status: 200, body: { name: 'two', queues: ['a', 'zzz'] } });
    expect(await call('GET', '/api/ivr/versions/99')).toEqual({
      status: 404,
      body: { error: 'test configuration version 99 does not exist' },
    });
    expect(await call('GET', '/api/ivr/active')).toEqual({ status: 200, body: { version: 2 } });
  });

  it('refuses to activate a missing version (404) or one the other configuration cannot serve (422), without an audit entry', async () => {
    const before = audited.length;
    expect(await call('POST', '/api/ivr/versions/99/activate')).toEqual({
      status: 404,
      body: { error: 'test configuration version 99 does not exist' },
    });
    expect(await call('POST', '/api/ivr/versions/3/activate')).toEqual({
      status: 422,
      body: {
        error: 'test configuration version 3 cannot be activated: 1 problem(s)',
        errors: [{ path: '/queues/1', message: 'queue "zzz" is unknown' }],
      },
    });
    expect(audited.length).toBe(before);
    expect((await call('GET', '/api/ivr/active')).body.version).toBe(2);
  });

  it('activates with warnings only when there are some, and audits before and after', async () => {
    expect((await call('POST', '/api/ivr/versions', { name: 'three', queues: ['b'] })).body.version).toBe(4);
    inUse.add('a');
    expect(await call('POST', '/api/ivr/versions/4/activate')).toEqual({
      status: 200,
      body: { active: 4, warnings: [{ path: '/queues', message: 'agents still serve "a"' }] },
    });
    expect(audited.at(-1)).toMatchObject({
      action: 'ivr.activate',
      targetKind: 'ivr',
      targetId: '4',
      before: { active: 2 },
      after: { active: 4 },
    });
    inUse.clear();
  });

  it('rolls back to the version active before, and answers 409 when there is none', async () => {
    expect(await call('POST', '/api/ivr/rollback')).toEqual({ status: 200, body: { active: 2 } });
    expect(audited.at(-1)).toMatchObject({ action: 'ivr.rollback', targetId: '2', before: { active: 4 }, after: { active: 2 } });
    // Only the shipped version was ever active: nothing to go back to.
    const fresh = new MemoryVersionStore<Doc>();
    await fresh.insert({ name: 'shipped', queues: ['a'] }, 'system');
    await fresh.activate(1, 'system', 'first_start');
    const empty = await buildHttp({
      log: pino({ level: 'silent' }),
      auth: fixedTokenAuth({ [TOKEN]: { id: 'ops1', role: 'admin', via: 'bootstrap' } }),
      probes: [],
      api: [
        configVersionRoutes(
          '/api/routing',
          'test configuration',
          new VersionedCatalog(kind, { store: fresh, pointer: new MemoryPointer(), log: pino({ level: 'silent' }), serialize: (f) => f() }),
        ),
      ],
    });
    try {
      const r = await empty.inject({ method: 'POST', url: '/api/routing/rollback', headers: { authorization: `Bearer ${TOKEN}` } });
      expect([r.statusCode, r.json()]).toEqual([409, { error: 'no earlier test configuration version has been active' }]);
    } finally {
      await empty.close();
    }
  });
});
