import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { TypedPlugin } from '../../http/typed-plugin.js';

/** Where the pages are, under the service's own origin. */
export const CONSOLE_BASE = '/console/';

/**
 * What every page is sent with: scripts only from this origin (no inline script, no eval), styles
 * inline too (Ant Design writes its CSS at run time), data only through this origin's API and
 * WebSockets, never framed by another site.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Every file of the build, relative to its root ("index.html", "assets/index-abc.js"). */
function filesUnder(root: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.add(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

/**
 * The web console (web/, built by Vite into web/dist): its files under /console/, and index.html
 * for every other path there (the pages' own routes: /console/agent, /console/ops/ivr …). Only the
 * files the build made are served, by exact name: nothing else on disk is reachable by a crafted
 * path. The files themselves are public (they hold no data); every datum comes from the API,
 * authenticated. Hashed assets are cached for a year, index.html never (a new build is seen at once).
 */
export function consoleRoutes(d: { root: string }): TypedPlugin {
  return async (app) => {
    const files = filesUnder(d.root);
    await app.register(fastifyStatic, { root: d.root, serve: false });
    const security = { 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };

    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect(CONSOLE_BASE));
    app.get('/console/*', { schema: { hide: true, params: Type.Object({ '*': Type.String({ maxLength: 512 }) }) } }, async (req, reply) => {
      if (!files.has('index.html'))
        return reply.code(503).send({ error: 'the web console is not built: run `npm run build:web` (scripts/up.sh and npm test do)' });
      const wanted = req.params['*'];
      reply.headers(security);
      if (files.has(wanted) && wanted !== 'index.html') {
        const immutable = wanted.startsWith('assets/');
        return reply.sendFile(wanted, { immutable, maxAge: immutable ? '365d' : 0, cacheControl: true });
      }
      // A page's own path (or an asset of an older build, which the page then reloads for).
      if (wanted.startsWith('assets/')) return reply.code(404).send({ error: `no such file: ${wanted}` });
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    });
  };
}
