import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { CONSOLE_CSP, consoleRoutes } from '../../src/features/console/routes.js';

let dir: string;
let app: Awaited<ReturnType<typeof buildHttp>>;
const build = (root: string) =>
  buildHttp({ log: pino({ level: 'silent' }), auth: fixedTokenAuth({}), probes: [], api: [consoleRoutes({ root })] });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'console-'));
  mkdirSync(path.join(dir, 'dist', 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html><title>12366</title>');
  writeFileSync(path.join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
  // Beside the build, not in it: must never be reachable.
  writeFileSync(path.join(dir, 'secret.txt'), 'not for the web');
  app = await build(path.join(dir, 'dist'));
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the web console’s files', () => {
  it('sends / to the console, without signing in', async () => {
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(302);
    expect(r.headers.location).toBe('/console/');
  });

  it('serves the page for every page path, never cached, with a strict CSP', async () => {
    for (const url of ['/console/', '/console/login', '/console/ops/routing']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('<title>12366</title>');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('serves the build’s assets by exact name, cached for good; a missing asset is 404', async () => {
    const js = await app.inject({ url: '/console/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log(1)');
    expect(js.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect((await app.inject({ url: '/console/assets/gone-123.js' })).statusCode).toBe(404);
  });

  it('never reaches a file outside the build, however the path is written', async () => {
    for (const url of [
      '/console/../secret.txt',
      '/console/..%2fsecret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/assets/..%2f..%2fsecret.txt',
      '/console/..%5csecret.txt',
    ]) {
      const r = await app.inject({ url });
      expect(r.body, url).not.toContain('not for the web');
    }
  });

  it('says the console is not built, rather than serving nothing', async () => {
    const bare = await build(path.join(dir, 'nowhere'));
    try {
      const r = await bare.inject({ url: '/console/' });
      expect(r.statusCode).toBe(503);
      expect(r.json().error).toMatch(/build:web/);
    } finally {
      await bare.close();
    }
  });
});
