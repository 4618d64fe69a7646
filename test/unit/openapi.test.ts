import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { ROUTE_ACCESS } from '../../src/core/auth/access.js';

const TOKEN = 'unit-test-token-0123456789';
const FEATURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/features');
/**
 * Exported from a routes file but not a plugin of its own (the versioned-configuration routes are
 * used by ivr's and routing's), or not API: the console's routes serve the pages' files.
 */
const NOT_PLUGINS = new Set(['configVersionRoutes', 'healthRoutes', 'consoleRoutes']);
/** Writes that take no body. A new one goes here only if it really takes none. */
const BODYLESS = new Set([
  'POST /api/ivr/versions/{version}/activate',
  'POST /api/ivr/rollback',
  'POST /api/routing/versions/{version}/activate',
  'POST /api/routing/rollback',
  'POST /api/agents/{id}/login',
  'POST /api/agents/{id}/logout',
  'POST /api/agents/{id}/unpause',
  'POST /api/agents/{id}/end-wrap-up',
  'POST /api/kb/articles/{id}/publish',
  'POST /api/kb/articles/{id}/retire',
  'POST /api/auth/logout',
]);

/** Stands in for any dependency: plugins only touch theirs when a request comes, and none does here. */
const stub: any = new Proxy(function () {}, { get: (_t, k) => (k === 'then' ? undefined : stub), apply: () => stub });

/** Every feature's routes files (`routes.ts`, `*-routes.ts`), so a new feature's routes are checked without anyone listing them here. */
function routeFiles(): string[] {
  return readdirSync(FEATURES_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|-)routes\.ts$/.test(path.basename(f)))
    .map((f) => path.join(FEATURES_DIR, f))
    .sort();
}

async function allRoutePlugins(): Promise<FastifyPluginAsync[]> {
  const plugins: FastifyPluginAsync[] = [];
  for (const file of routeFiles()) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, f] of Object.entries(mod)) {
      if (typeof f === 'function' && name.endsWith('Routes') && !NOT_PLUGINS.has(name)) plugins.push(f(stub) as FastifyPluginAsync);
    }
  }
  return plugins;
}

const build = (api: FastifyPluginAsync[]) =>
  buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [TOKEN]: { id: 'test', role: 'admin', via: 'bootstrap' } }),
    probes: (['asterisk', 'postgres', 'redis'] as const).map((name) => ({ name, check: async () => undefined })),
    api,
  });

type Doc = { openapi: string; info: { title: string }; security?: unknown; components?: any; paths: Record<string, Record<string, any>> };

async function docOf(app: FastifyInstance): Promise<Doc> {
  const r = await app.inject({ url: '/docs/json', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.statusCode).toBe(200);
  return r.json() as Doc;
}

/** What an operation lacks, one line each ("GET /x: no summary"). */
function problemsOf(doc: Doc): string[] {
  const out: string[] = [];
  for (const [url, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const at = `${method.toUpperCase()} ${url}`;
      if (!op.summary) out.push(`${at}: no summary`);
      if (!op.tags?.length) out.push(`${at}: no tags`);
      const params = (op.parameters ?? []) as Array<{ in: string; name: string; schema?: unknown }>;
      for (const [, name] of url.matchAll(/\{([^}]+)\}/g)) {
        if (!params.some((p) => p.in === 'path' && p.name === name && p.schema)) out.push(`${at}: path parameter ${name} has no schema`);
      }
      if (['post', 'put', 'patch'].includes(method) && !BODYLESS.has(at) && !op.requestBody) out.push(`${at}: no body schema`);
      const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$|^101$/.test(code));
      if (!ok.length) out.push(`${at}: no 2xx response`);
      const described = ok.some(
        ([code, r]: [string, any]) => code === '204' || code === '101' || Object.values(r.content ?? {}).some((c: any) => c.schema),
      );
      if (ok.length && !described) out.push(`${at}: no schema for its 2xx response`);
      for (const [code, r] of Object.entries<any>(op.responses ?? {})) {
        if (/^4\d\d$/.test(code) && !Object.values(r.content ?? {}).some((c: any) => c.schema)) out.push(`${at}: no schema for ${code}`);
      }
    }
  }
  return out;
}

let app: FastifyInstance;
let doc: Doc;
beforeAll(async () => {
  app = await build(await allRoutePlugins());
  doc = await docOf(app);
});
afterAll(async () => {
  await app?.close();
});

describe('OpenAPI document at /docs/json', () => {
  it('describes the API with bearer authentication everywhere but /healthz', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('12366 contact-center API');
    expect(doc.components.securitySchemes).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer' } });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz']!.get.security).toEqual([]);
    // TypeBox's symbols are not JSON, so nothing of them reaches the document.
    expect(JSON.stringify(doc)).not.toMatch(/Symbol\(|TypeBox/);
  });

  it('gives every operation a summary, tags, and schemas for its parameters, body and answers', () => {
    expect(problemsOf(doc)).toEqual([]);
  });

  it('documents every route the API serves', () => {
    const documented = new Set(Object.entries(doc.paths).flatMap(([url, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${url}`)));
    const served = Object.keys(ROUTE_ACCESS).map((k) => k.replace(/:(\w+)/g, '{$1}'));
    expect(served.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('notices a route added without schemas', async () => {
    const bare: FastifyPluginAsync = async (a) => {
      a.get('/api/callbacks', async () => []);
      a.post('/api/simulate', { schema: { summary: 'no body, no answer', tags: ['x'] } }, async () => ({}));
    };
    const other = await build([bare]);
    try {
      expect(problemsOf(await docOf(other))).toEqual([
        'GET /api/callbacks: no summary',
        'GET /api/callbacks: no tags',
        'GET /api/callbacks: no 2xx response',
        'POST /api/simulate: no body schema',
        'POST /api/simulate: no 2xx response',
      ]);
    } finally {
      await other.close();
    }
  });

  it('needs authentication for /docs, not for /healthz', async () => {
    expect((await app.inject({ url: '/docs' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/docs/json' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ui = await app.inject({ url: '/docs', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });
});
