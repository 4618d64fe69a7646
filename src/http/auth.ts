import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import { accessFor, decide, type Principal } from '../core/auth/access.js';
import type { AuditEntry } from '../features/audit/audit-service.js';
import { browserRefusal, clearSessionCookie, cookieToken } from './browser-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking; set for every route but the public ones. */
    principal?: Principal;
    /**
     * Who the request's bearer token belongs to now: for a long-lived request (a WebSocket) to
     * notice that its session was revoked or expired, or its account disabled, since it opened.
     */
    reauthenticate(): Promise<Principal | undefined>;
    /** The request was authenticated by the browser's session cookie (not a bearer token). */
    viaCookie: boolean;
    /** Records a change made by this request in the audit log. */
    audit(e: Pick<AuditEntry, 'action' | 'targetKind' | 'targetId' | 'before' | 'after'>): Promise<void>;
  }
}

export interface AuthDeps {
  authenticate: (token: string) => Promise<Principal | undefined>;
  appendAudit: (e: AuditEntry) => Promise<void>;
  /**
   * Unknown bearer tokens counted per client address (features/auth/login-limiter.ts): an
   * address guessing tokens is refused with 429 before any more are looked up. Absent: no limit
   * (route tests).
   */
  tokenGuesses?: {
    blocked: (ip: string) => Promise<boolean>;
    missed: (ip: string) => Promise<boolean>;
    /** The counting window: the longest an address waits once over. */
    retryAfterS: number;
  };
  /** The server key CSRF tokens are derived with (http/browser-session.ts). */
  csrfKey: string;
}

/** The one route that takes its token in the URL: a browser cannot set headers on a WebSocket. */
export const QUERY_TOKEN_ROUTE = '/api/live';

/**
 * The bearer secret of a request: the Authorization header, or ?access_token= on the /api/live
 * WebSocket upgrade only. Anywhere else a token in the URL is ignored (the request is then
 * unauthenticated): URLs end up in proxy logs and browser history, headers do not.
 */
export function bearerOf(req: FastifyRequest): string {
  return credentialOf(req).token;
}

/** The request's secret and where it came from: a header or URL (tools), or the session cookie (browsers). */
export function credentialOf(req: FastifyRequest): { token: string; viaCookie: boolean } {
  const header = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
  if (header) return { token: header, viaCookie: false };
  const ws = req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket';
  const query = ws && req.routeOptions.url === QUERY_TOKEN_ROUTE ? new URL(req.url, 'http://x').searchParams.get('access_token') : null;
  if (query) return { token: query, viaCookie: false };
  const c = cookieToken(req);
  return { token: c, viaCookie: c !== '' };
}

const TOKEN_GUESSES = 'too many unknown tokens from this address; wait before trying again';

/**
 * Every request is authenticated and checked against core/auth/access.ts before its route
 * runs. A route without an entry there cannot even be registered: nothing is served by accident.
 */
export function authPlugin(d: AuthDeps): FastifyPluginAsync {
  return fp(async (app) => {
    await app.register(cookie);
    app.decorateRequest('principal', undefined);
    app.decorateRequest('viaCookie', false);
    app.decorateRequest('reauthenticate', function (this: FastifyRequest) {
      return d.authenticate(bearerOf(this));
    });
    app.decorateRequest('audit', async function (this: FastifyRequest, e) {
      const who = this.principal;
      await d.appendAudit({ ...e, actor: who?.id ?? 'anonymous', actorRole: who?.role ?? 'none', via: who?.via ?? 'none', ip: this.ip });
    });

    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        if (!accessFor(method, route.url))
          throw new Error(`route ${method} ${route.url} has no entry in src/core/auth/access.ts ROUTE_ACCESS`);
      }
    });

    // Any route's path parameters, as strings: an agent may act on its own /api/agents/:id only.
    app.addHook<{ Params: Record<string, string | undefined> }>('onRequest', async (req, reply) => {
      const url = req.routeOptions.url;
      if (url !== undefined && accessFor(req.method, url)?.need === 'public') return;
      const { token, viaCookie } = credentialOf(req);
      req.viaCookie = viaCookie;
      const guesses = d.tokenGuesses;
      // Checked before the lookup: an address over its limit learns nothing more, even from a right guess.
      const refuse = () => reply.code(429).header('retry-after', String(guesses!.retryAfterS)).send({ error: TOKEN_GUESSES });
      if (token && guesses && (await guesses.blocked(req.ip))) return refuse();
      req.principal = await d.authenticate(token);
      if (token && !req.principal && guesses && (await guesses.missed(req.ip))) return refuse();
      // A cookie sent by a browser: from this site's own pages only, and writes with the CSRF token.
      if (viaCookie && req.principal) {
        const refusal = browserRefusal(req, token, d.csrfKey);
        if (refusal) return reply.code(403).send({ error: refusal });
      }
      const verdict = decide(req.principal, req.method, url, req.params);
      if (!verdict.allow) {
        // An expired or revoked session's cookie is dropped with the first refusal, so the browser
        // does not offer it again (each offer would count as a guessed token from its address).
        if (viaCookie && !req.principal) clearSessionCookie(reply, req.protocol === 'https');
        return reply.code(verdict.status).send({ error: verdict.reason });
      }
    });
  });
}

/** One fixed bearer token with one role and an audit log in memory: for route tests and benchmarks. */
export function fixedTokenAuth(tokens: Record<string, Principal>, audited: AuditEntry[] = []): AuthDeps {
  return {
    authenticate: async (t) => tokens[t],
    appendAudit: async (e) => void audited.push(e),
    csrfKey: 'route-tests-csrf-key',
  };
}
