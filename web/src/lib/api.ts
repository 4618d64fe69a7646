/**
 * The one way the pages touch data: the service's HTTP API, with the session cookie the browser
 * holds (HttpOnly, SameSite=Strict) and, on every write, the CSRF token the session came with.
 */

let csrfToken = '';

/** Set at sign-in and whenever /api/me is read again (a reload). */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? '';
}

/**
 * An answer that was not 2xx. `field` is the request field the API named ("body/steps/0/afterS: must
 * be >= 0" → "steps/0/afterS"), so a form can show the message beside that field.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | undefined,
    /** A configuration refused (422) lists every problem at its JSON pointer ("/queues/1/steps/0/afterS"). */
    readonly problems: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** "body/nodes/vat/queue: must be …" → { field: "nodes/vat/queue", message: "must be …" }. */
export function splitFieldError(error: string): { field: string | undefined; message: string } {
  const m = /^(?:body|querystring|params)(\/[^\s:]*)?:?\s*(.*)$/s.exec(error);
  if (!m) return { field: undefined, message: error };
  const field = m[1]?.replace(/^\//, '') || undefined;
  return { field, message: m[2] || error };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Called when the API says the session is gone (401): the shell sends the user to the login page. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(f: () => void): void {
  onSignedOut = f;
}

export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  init: { raw?: boolean; /** For a text body: its type (text/csv for an import); text/plain otherwise. */ contentType?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = typeof body === 'string' ? (init.contentType ?? 'text/plain') : 'application/json';
  if (UNSAFE.has(method.toUpperCase())) headers['x-csrf-token'] = csrfToken;
  const r = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (r.status === 401 && !path.startsWith('/api/auth/')) onSignedOut();
  if (!r.ok) {
    const text = await r.text();
    let error = text || r.statusText;
    let problems: Array<{ path: string; message: string }> = [];
    try {
      const body = JSON.parse(text) as { error?: string; errors?: unknown };
      error = body.error ?? error;
      if (Array.isArray(body.errors))
        problems = body.errors.filter((p): p is { path: string; message: string } => typeof p?.path === 'string');
    } catch {
      // not JSON: the text as it came
    }
    const { field, message } = splitFieldError(error);
    // A refused configuration names its first problem's field, as a refused request names its own.
    const first = problems[0];
    if (!field && first?.path) throw new ApiError(r.status, first.message, first.path.replace(/^\//, ''), problems);
    throw new ApiError(r.status, field ? message : error, field, problems);
  }
  if (init.raw) return r as unknown as T;
  if (r.status === 204) return undefined as T;
  const type = r.headers.get('content-type') ?? '';
  return (type.includes('json') ? await r.json() : await r.text()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The WebSocket URL of an API path on this page's own origin (the cookie goes with it). */
export function wsUrl(path: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}
