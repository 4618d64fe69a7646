import pino from 'pino';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { csrfMatches, csrfTokenFor, SESSION_COOKIE } from '../../src/http/browser-session.js';

const SESSION = 'browser-session-token-0123456789abcdef';
const KEY = 'route-tests-csrf-key'; // fixedTokenAuth's
const cookie = `${SESSION_COOKIE}=${SESSION}`;

/** Two routes of the access table, answering who asked: a read and a write. */
const echo: FastifyPluginAsync = async (app) => {
  app.get('/api/me', async (req) => ({ id: req.principal?.id, viaCookie: req.viaCookie }));
  app.post('/api/pause-reasons', async (req) => ({ id: req.principal?.id }));
};

let app: Awaited<ReturnType<typeof buildHttp>>;
beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [SESSION]: { id: 'ops1', role: 'admin', via: 'session' } }),
    probes: [],
    api: [echo],
  });
});
afterAll(async () => {
  await app?.close();
});

const post = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/pause-reasons', headers, payload: {} });

describe('browser sessions: the cookie and its CSRF token', () => {
  it('derives one token per session and key, and compares it whole', () => {
    const t = csrfTokenFor(SESSION, KEY);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenFor(SESSION, KEY)).toBe(t);
    expect(csrfTokenFor(`${SESSION}x`, KEY)).not.toBe(t);
    expect(csrfTokenFor(SESSION, `${KEY}x`)).not.toBe(t);
    expect(csrfMatches(SESSION, KEY, t)).toBe(true);
    expect(csrfMatches(SESSION, KEY, t.slice(0, -1))).toBe(false);
    expect(csrfMatches(SESSION, KEY, `${t}A`)).toBe(false);
    expect(csrfMatches(SESSION, KEY, undefined)).toBe(false);
  });

  it('reads with the cookie need no token; writes need the right one', async () => {
    const me = await app.inject({ url: '/api/me', headers: { cookie } });
    expect(me.json()).toEqual({ id: 'ops1', viaCookie: true });
    const none = await post({ cookie });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toMatch(/x-csrf-token/);
    expect((await post({ cookie, 'x-csrf-token': 'forged' })).statusCode).toBe(403);
    const ok = await post({ cookie, 'x-csrf-token': csrfTokenFor(SESSION, KEY) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ id: 'ops1' });
  });

  it('refuses the cookie from another origin, even with the right token; its own origin passes', async () => {
    const token = csrfTokenFor(SESSION, KEY);
    expect((await post({ cookie, 'x-csrf-token': token, origin: 'http://evil.example' })).statusCode).toBe(403);
    expect((await post({ cookie, 'x-csrf-token': token, origin: 'null' })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/me', headers: { cookie, origin: 'http://evil.example' } })).statusCode).toBe(403);
    expect((await post({ cookie, 'x-csrf-token': token, origin: 'http://localhost:8080' })).statusCode).toBe(403);
    expect((await post({ cookie, 'x-csrf-token': token, origin: 'http://localhost', host: 'localhost' })).statusCode).toBe(200);
  });

  it('a bearer token needs no CSRF token (no browser adds it by itself)', async () => {
    expect((await post({ authorization: `Bearer ${SESSION}` })).statusCode).toBe(200);
  });

  it('a WebSocket upgrade with the cookie must say its origin', async () => {
    const headers = { cookie, upgrade: 'websocket', connection: 'Upgrade' };
    expect((await app.inject({ url: '/api/me', headers })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/me', headers: { ...headers, origin: 'http://evil.example' } })).statusCode).toBe(403);
  });

  it('a dead session’s cookie is cleared with the first 401, so the browser stops offering it', async () => {
    const r = await app.inject({ url: '/api/me', headers: { cookie: `${SESSION_COOKIE}=expired-or-revoked` } });
    expect(r.statusCode).toBe(401);
    const set = String(r.headers['set-cookie']);
    expect(set).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    expect(set).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
  });
});
