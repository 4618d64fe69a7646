import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { VersionedCatalog, type ConfigProblem, type VersionKind } from '../../src/features/versioned-config/catalog.js';
import { MemoryPointer, MemoryVersionStore } from '../support/memory-versions.js';

/**
 * A made-up configuration, like a future call-summary tree: a list of topic codes. It names
 * codes the "other" configuration must have (the cross-check), needs a file per topic (prepare),
 * and warns about topics agents still use that a version drops (activated).
 */
interface Doc {
  topics: string[];
}
interface Compiled {
  topics: string[];
  count: number;
}

function setup(o: { atUpload?: boolean; whenUnreachable?: 'last-known' | 'throw' } = {}) {
  const world = {
    other: new Set(['a', 'b', 'c']),
    unpreparable: new Set<string>(),
    inUse: new Set<string>(),
    prepared: [] as string[][],
    /** Each discard: the refused topics, and the documents said to be in use then. */
    discarded: [] as Array<{ topics: string[]; inUse: Doc[] }>,
    /** Prepares wait on this when set, so uploads can overlap. */
    gate: undefined as Promise<void> | undefined,
    /** Tightened after upload: revive then refuses what validate let through. */
    banned: new Set<string>(),
    serialized: 0,
  };
  const validate = (input: unknown) => {
    const topics = (input as Partial<Doc> | null)?.topics;
    if (!Array.isArray(topics)) return { ok: false as const, errors: [{ path: '/topics', message: 'must be a list' }] };
    const errors: ConfigProblem[] = topics.flatMap((t, i) =>
      typeof t !== 'string'
        ? [{ path: `/topics/${i}`, message: 'must be a string' }]
        : world.banned.has(t)
          ? [{ path: `/topics/${i}`, message: `"${t}" is no longer allowed` }]
          : [],
    );
    return errors.length
      ? { ok: false as const, errors }
      : { ok: true as const, value: { topics: topics as string[], count: topics.length } };
  };
  const kind: VersionKind<Doc, Compiled> = {
    label: 'summary',
    validate,
    document: (v) => ({ topics: v.topics }),
    revive: validate,
    crossCheck: {
      atUpload: o.atUpload ?? true,
      check: async (v) =>
        v.topics.flatMap((t, i) =>
          world.other.has(t) ? [] : [{ path: `/topics/${i}`, message: `"${t}" is not in the other configuration` }],
        ),
    },
    prepare: async (v) => {
      world.prepared.push(v.topics);
      await world.gate;
      return v.topics.flatMap((t, i) =>
        world.unpreparable.has(t) ? [{ path: `/topics/${i}`, message: `"${t}" cannot be prepared` }] : [],
      );
    },
    discard: async (v, inUse) => {
      world.discarded.push({ topics: v.topics, inUse: await inUse() });
    },
    activated: async (v) =>
      [...world.inUse].filter((t) => !v.topics.includes(t)).map((t) => ({ path: '/topics', message: `agents still use "${t}"` })),
    whenUnreachable: o.whenUnreachable ?? 'last-known',
  };
  const store = new MemoryVersionStore<Doc>();
  const pointer = new MemoryPointer();
  const catalog = new VersionedCatalog(kind, {
    store,
    pointer,
    log: pino({ level: 'silent' }),
    serialize: async (change) => {
      world.serialized++;
      return change();
    },
  });
  return { catalog, store, pointer, world };
}

describe('VersionedCatalog upload', () => {
  it('stores nothing when the document is invalid, and reports every problem with its path', async () => {
    const { catalog, store, world } = setup();
    expect(await catalog.upload({ topics: ['a', 1, 'b', null] }, 'ops')).toEqual({
      ok: false,
      errors: [
        { path: '/topics/1', message: 'must be a string' },
        { path: '/topics/3', message: 'must be a string' },
      ],
    });
    expect(store.docs).toEqual([]);
    expect(world.prepared).toEqual([]);
  });

  it('cross-checks at upload when the kind says so, before preparing anything', async () => {
    const { catalog, store, world } = setup({ atUpload: true });
    const r = await catalog.upload({ topics: ['a', 'zzz'] }, 'ops');
    expect(r).toEqual({ ok: false, errors: [{ path: '/topics/1', message: '"zzz" is not in the other configuration' }] });
    expect(world.prepared).toEqual([]);
    expect(store.docs).toEqual([]);
  });

  it('leaves the cross-check to activation when the kind says so', async () => {
    const { catalog } = setup({ atUpload: false });
    expect(await catalog.upload({ topics: ['zzz'] }, 'ops')).toEqual({ ok: true, version: 1 });
  });

  it('refuses a version that cannot be prepared', async () => {
    const { catalog, store, world } = setup();
    world.unpreparable.add('b');
    expect(await catalog.upload({ topics: ['a', 'b'] }, 'ops')).toEqual({
      ok: false,
      errors: [{ path: '/topics/1', message: '"b" cannot be prepared' }],
    });
    expect(store.docs).toEqual([]);
  });

  it('discards what a refused upload prepared, telling what stored versions and other uploads under way still use', async () => {
    const { catalog, store, world } = setup();
    await catalog.upload({ topics: ['a'] }, 'ops');
    world.unpreparable.add('b');
    let open!: () => void;
    world.gate = new Promise((resolve) => (open = resolve));
    const refused = catalog.upload({ topics: ['b'] }, 'ops');
    const other = catalog.upload({ topics: ['c'] }, 'ops');
    open();
    expect(await refused).toEqual({ ok: false, errors: [{ path: '/topics/0', message: '"b" cannot be prepared' }] });
    expect(await other).toEqual({ ok: true, version: 2 });
    expect(world.discarded).toEqual([{ topics: ['b'], inUse: [{ topics: ['a'] }, { topics: ['c'] }] }]);
    expect(store.docs).toEqual([{ topics: ['a'] }, { topics: ['c'] }]);
  });

  it('discards what was prepared when storing fails, and passes the failure on', async () => {
    const { catalog, store, world } = setup();
    store.insert = async () => {
      throw new Error('database gone');
    };
    await expect(catalog.upload({ topics: ['a'] }, 'ops')).rejects.toThrow('database gone');
    expect(world.discarded).toEqual([{ topics: ['a'], inUse: [] }]);
  });

  it('discards nothing of a stored upload', async () => {
    const { catalog, world } = setup();
    expect(await catalog.upload({ topics: ['a'] }, 'ops')).toEqual({ ok: true, version: 1 });
    expect(world.discarded).toEqual([]);
  });

  it('stores the document the kind makes of a valid version, with who and why', async () => {
    const { catalog, store } = setup();
    expect(await catalog.upload({ topics: ['a', 'b'] }, 'ops', 'pilot')).toEqual({ ok: true, version: 1 });
    expect(store.docs).toEqual([{ topics: ['a', 'b'] }]);
    expect(await catalog.get(1)).toEqual({ topics: ['a', 'b'] });
    expect(await catalog.list()).toEqual([expect.objectContaining({ version: 1, createdBy: 'ops', comment: 'pilot' })]);
  });
});

describe('VersionedCatalog activation', () => {
  it('says a version that does not exist is missing, and changes nothing', async () => {
    const { catalog, store, pointer } = setup();
    expect(await catalog.activate(9, 'ops', 'activate')).toEqual({ ok: false, missing: true });
    expect(store.activations).toEqual([]);
    expect(pointer.value).toBeUndefined();
  });

  it('checks again against the other configuration as it is now, under the lock', async () => {
    const { catalog, store, pointer, world } = setup();
    await catalog.upload({ topics: ['a', 'c'] }, 'ops');
    world.other.delete('c');
    expect(await catalog.activate(1, 'ops', 'activate')).toEqual({
      ok: false,
      errors: [{ path: '/topics/1', message: '"c" is not in the other configuration' }],
    });
    expect(world.serialized).toBe(1);
    expect(store.activations).toEqual([]);
    expect(pointer.value).toBeUndefined();
  });

  it('refuses a stored version that is no longer valid', async () => {
    const { catalog, store, world } = setup();
    await catalog.upload({ topics: ['a'] }, 'ops');
    world.banned.add('a');
    expect(await catalog.activate(1, 'ops', 'activate')).toEqual({
      ok: false,
      errors: [{ path: '/topics/0', message: '"a" is no longer allowed' }],
    });
    expect(store.activations).toEqual([]);
  });

  it('records the activation with its reason, points every instance at it, and passes on the warnings', async () => {
    const { catalog, store, pointer, world } = setup();
    await catalog.upload({ topics: ['a', 'b'] }, 'ops');
    world.inUse.add('a').add('c');
    expect(await catalog.activate(1, 'ops', 'rollback')).toEqual({
      ok: true,
      warnings: [{ path: '/topics', message: 'agents still use "c"' }],
    });
    expect(store.activations).toEqual([{ version: 1, by: 'ops', reason: 'rollback' }]);
    expect(pointer.value).toBe(1);
    expect(await catalog.activeVersion()).toBe(1);
  });

  it('rolls back to the version active before the current one', async () => {
    const { catalog } = setup();
    for (const t of ['a', 'b', 'c']) await catalog.upload({ topics: [t] }, 'ops');
    expect(await catalog.previous()).toBeUndefined();
    await catalog.activate(1, 'ops', 'activate');
    await catalog.activate(3, 'ops', 'activate');
    expect(await catalog.previous()).toBe(1);
  });
});

describe('VersionedCatalog active version', () => {
  it('reads the pointer first, and Postgres when the pointer is empty (Redis flushed)', async () => {
    const { catalog, store, pointer } = setup();
    await store.activate(1, 'x', 'activate');
    pointer.value = 2;
    expect(await catalog.activeVersion()).toBe(2);
    pointer.value = undefined;
    expect(await catalog.activeVersion()).toBe(1);
  });

  it("'last-known': serves the version seen last while neither Redis nor Postgres answers", async () => {
    const { catalog, store, pointer } = setup({ whenUnreachable: 'last-known' });
    pointer.value = 4;
    expect(await catalog.activeVersion()).toBe(4);
    pointer.down = true;
    store.active = () => Promise.reject(new Error('postgres unreachable'));
    expect(await catalog.activeVersion()).toBe(4);
  });

  it("'last-known' still says so when no version was ever seen", async () => {
    const { catalog, pointer } = setup({ whenUnreachable: 'last-known' });
    pointer.down = true;
    await expect(catalog.activeVersion()).rejects.toThrow('no summary version is active');
  });

  it("'throw': an unreachable Redis is an error, not a fallback", async () => {
    const { catalog, store, pointer } = setup({ whenUnreachable: 'throw' });
    await store.activate(1, 'x', 'activate');
    pointer.value = 1;
    expect(await catalog.activeVersion()).toBe(1);
    pointer.down = true;
    await expect(catalog.activeVersion()).rejects.toThrow('redis unreachable');
  });

  it('keeps the loaded active version until another is activated', async () => {
    const { catalog, pointer } = setup();
    await catalog.upload({ topics: ['a'] }, 'ops');
    await catalog.upload({ topics: ['a', 'b'] }, 'ops');
    pointer.value = 1;
    const first = await catalog.active();
    expect(first).toEqual({ version: 1, value: { topics: ['a'], count: 1 } });
    expect(await catalog.active()).toBe(first);
    expect(catalog.cached).toBe(first);
    pointer.value = 2;
    expect(await catalog.active()).toEqual({ version: 2, value: { topics: ['a', 'b'], count: 2 } });
  });

  it('loads a version once, and says which one is missing or no longer valid', async () => {
    const { catalog, store, world } = setup();
    store.docs.push({ topics: ['a'] }, { topics: ['b'] });
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (v) => (reads++, get(v));
    expect(await catalog.load(1)).toEqual({ topics: ['a'], count: 1 });
    expect(await catalog.load(1)).toEqual({ topics: ['a'], count: 1 });
    expect(reads).toBe(1);
    await expect(catalog.load(7)).rejects.toThrow('summary version 7 does not exist');
    world.banned.add('b');
    await expect(catalog.load(2)).rejects.toThrow('summary version 2 is no longer valid');
  });
});

describe('VersionedCatalog first start', () => {
  const shipped = (text: string) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'versioned-')), 'shipped.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('stores and activates the shipped file when nothing is active yet', async () => {
    const { catalog, store, pointer } = setup();
    expect(await catalog.init(shipped('topics: [a, b]\n'))).toBe(1);
    expect(store.docs).toEqual([{ topics: ['a', 'b'] }]);
    expect(store.activations).toEqual([{ version: 1, by: 'system', reason: 'first_start' }]);
    expect(pointer.value).toBe(1);
    expect(catalog.cached).toEqual({ version: 1, value: { topics: ['a', 'b'], count: 2 } });
  });

  it('refuses to start on an invalid shipped file', async () => {
    const { catalog } = setup();
    await expect(catalog.init(shipped('topics: [a, zzz]\n'))).rejects.toThrow(/shipped summary configuration .* is invalid/);
  });

  it('keeps the active version, prepares it again for a new host, and repoints Redis at it', async () => {
    const { catalog, store, pointer, world } = setup();
    await catalog.upload({ topics: ['a'] }, 'ops');
    await catalog.upload({ topics: ['b'] }, 'ops');
    await store.activate(2, 'ops', 'activate');
    pointer.value = 1;
    world.prepared.length = 0;
    world.unpreparable.add('b');
    // A version that cannot be fully prepared is still served: it is the active one.
    expect(await catalog.init(shipped('topics: [c]\n'))).toBe(2);
    expect(store.docs).toHaveLength(2);
    expect(world.prepared).toEqual([['b']]);
    expect(pointer.value).toBe(2);
  });
});
