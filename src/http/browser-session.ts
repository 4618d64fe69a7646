import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Browsers sign in with a session cookie instead of a bearer header: HttpOnly (page scripts
 * never see the secret), SameSite=Strict (no other site's page sends it), Path=/. Secure when the
 * request came over HTTPS (directly or through a TRUST_PROXY proxy): plain HTTP on loopback
 * would otherwise never get it back.
 *
 * Writes made with the cookie also need the CSRF token in an X-CSRF-Token header: a value derived
 * from the session secret with a server key, handed to the page at sign-in and by GET /api/me.
 * Another site can make the browser send the cookie (were SameSite ever lax) but cannot read
 * the token. Bearer tokens (tools) need no CSRF token: no browser adds them by itself.
 */
export const SESSION_COOKIE = 'tax12366_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfTokenFor(sessionToken: string, key: string): string {
  return createHmac('sha256', key).update(`csrf\0${sessionToken}`).digest('base64url');
}

export function csrfMatches(sessionToken: string, key: string, given: string | undefined): boolean {
  if (!given) return false;
  const want = Buffer.from(csrfTokenFor(sessionToken, key));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** The session token in the request's cookie, or ''. */
export function cookieToken(req: FastifyRequest): string {
  return req.cookies?.[SESSION_COOKIE] ?? '';
}

/**
 * Why a cookie-authenticated request is refused before its route runs, or undefined. Writes need
 * the CSRF token; any request that says where it came from (Origin, which browsers send on
 * writes and WebSocket upgrades) must come from this service's own origin.
 */
export function browserRefusal(req: FastifyRequest, sessionToken: string, key: string): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'the Origin header is not a URL';
    }
    if (host !== req.host) return `requests from ${origin} may not use this site's session`;
  } else if (origin === 'null') return 'requests from an opaque origin may not use the session cookie';
  const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
  if (SAFE.has(req.method) && !upgrade) return undefined;
  if (upgrade) return origin === undefined ? 'a WebSocket opened with the session cookie must send its Origin' : undefined;
  const given = req.headers[CSRF_HEADER];
  if (!csrfMatches(sessionToken, key, Array.isArray(given) ? given[0] : given))
    return `writes made with the session cookie need the ${CSRF_HEADER} header from sign-in (GET /api/me gives it again)`;
  return undefined;
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
