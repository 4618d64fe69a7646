import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgVersionStore } from '../../src/features/versioned-config/version-store.js';
import { requireEnv } from '../support/rig.js';

// Real Postgres. One connection, so the temporary tables (a configuration that exists nowhere
// else, as a knowledge base would) are seen by every query and vanish with it.
const pool = new pg.Pool({ connectionString: requireEnv('DATABASE_URL'), max: 1 });
beforeAll(async () => {
  await pool.query(`
    CREATE TEMP TABLE kb_versions (
      version serial PRIMARY KEY, title text NOT NULL, body jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL, comment text);
    CREATE TEMP TABLE kb_activations (
      seq bigserial PRIMARY KEY, version integer NOT NULL REFERENCES kb_versions (version),
      activated_at timestamptz NOT NULL DEFAULT now(), activated_by text NOT NULL,
      reason text NOT NULL CHECK (reason IN ('first_start', 'activate', 'rollback')));
    CREATE TEMP TABLE plain_versions (
      version serial PRIMARY KEY, doc jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL, comment text);
    CREATE TEMP TABLE plain_activations (
      seq bigserial PRIMARY KEY, version integer NOT NULL REFERENCES plain_versions (version),
      activated_at timestamptz NOT NULL DEFAULT now(), activated_by text NOT NULL, reason text NOT NULL);`);
});
afterAll(async () => {
  await pool.end();
});

type Kb = { title: string; articles: Array<{ id: string; text: string }> };

describe('PgVersionStore', () => {
  it('stores documents as jsonb with who and why, lists them with the name column, and reads them back', async () => {
    const kb = new PgVersionStore<Kb>(pool, {
      versions: 'kb_versions',
      activations: 'kb_activations',
      document: 'body',
      name: { column: 'title', of: (d) => d.title },
    });
    const v1 = await kb.insert({ title: '增值税', articles: [{ id: 'vat-1', text: '税率' }] }, 'ops', 'first');
    const v2 = await kb.insert({ title: '个税', articles: [] }, 'sys');
    expect(v2).toBe(v1 + 1);
    expect(await kb.get(v1)).toEqual({ title: '增值税', articles: [{ id: 'vat-1', text: '税率' }] });
    expect(await kb.get(v2 + 100)).toBeUndefined();
    const list = await kb.list();
    expect(list.map(({ createdAt: _, ...r }) => r)).toEqual([
      { version: v1, name: '增值税', createdBy: 'ops', comment: 'first' },
      { version: v2, name: '个税', createdBy: 'sys', comment: null },
    ]);
    expect(Number.isNaN(Date.parse(list[0]!.createdAt))).toBe(false);
  });

  it('has no name in the list when the table has no name column', async () => {
    const plain = new PgVersionStore<{ x: number }>(pool, {
      versions: 'plain_versions',
      activations: 'plain_activations',
      document: 'doc',
    });
    const v = await plain.insert({ x: 1 }, 'ops');
    expect((await plain.list()).map(({ createdAt: _, ...r }) => r)).toEqual([{ version: v, createdBy: 'ops', comment: null }]);
  });

  it('the active version is the latest activation; previous is the latest activation of another version', async () => {
    const kb = new PgVersionStore<Kb>(pool, {
      versions: 'kb_versions',
      activations: 'kb_activations',
      document: 'body',
      name: { column: 'title', of: (d) => d.title },
    });
    await pool.query('TRUNCATE kb_activations');
    const [a, b, c] = [
      await kb.insert({ title: 'a', articles: [] }, 'x'),
      await kb.insert({ title: 'b', articles: [] }, 'x'),
      await kb.insert({ title: 'c', articles: [] }, 'x'),
    ];
    expect(await kb.active()).toBeUndefined();
    expect(await kb.previous()).toBeUndefined();
    await kb.activate(a, 'system', 'first_start');
    expect([await kb.active(), await kb.previous()]).toEqual([a, undefined]);
    await kb.activate(b, 'ops', 'activate');
    await kb.activate(b, 'ops', 'activate');
    expect([await kb.active(), await kb.previous()]).toEqual([b, a]);
    await kb.activate(c, 'ops', 'activate');
    await kb.activate(b, 'ops', 'rollback');
    expect([await kb.active(), await kb.previous()]).toEqual([b, c]);
    const reasons = await pool.query<{ reason: string }>('SELECT reason FROM kb_activations ORDER BY seq');
    expect(reasons.rows.map((r) => r.reason)).toEqual(['first_start', 'activate', 'activate', 'activate', 'rollback']);
  });

  it('accepts only plain identifiers for its tables and columns', () => {
    expect(
      () => new PgVersionStore(pool, { versions: 'kb_versions; DROP TABLE calls', activations: 'kb_activations', document: 'body' }),
    ).toThrow(/not a plain SQL identifier/);
    expect(
      () =>
        new PgVersionStore(pool, {
          versions: 'kb_versions',
          activations: 'kb_activations',
          document: 'body',
          name: { column: 'Title"', of: () => '' },
        }),
    ).toThrow(/not a plain SQL identifier/);
  });
});
