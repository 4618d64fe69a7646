import http from 'node:http';
import https from 'node:https';

/**
 * ARI's REST side over one keep-alive pool.
 *
 * Why not `ari-client`: it opens a new HTTP connection per request, and above ~100 calls/s
 * it ran into Asterisk's HTTP session limit and failed 1–5 % of calls here. A bounded
 * keep-alive pool reuses a few dozen sockets for every request instead.
 */
export class AriHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`ARI ${method} ${path} -> ${status} ${body.slice(0, 200)}`);
    this.name = 'AriHttpError';
  }
}

export interface AriHttpOptions {
  url: string;
  user: string;
  password: string;
  maxSockets: number;
  timeoutMs?: number;
}

/**
 * Sockets for originates. Under load Asterisk answers an originate only after creating the
 * channel (50–100 ms at 160 calls/s here), so by Little's law 8 sockets capped us at about 160
 * originates a second: at that rate a request waited 1.3 s for a socket before it was even sent.
 */
const URGENT_SOCKETS = 32;

export type Query = Record<string, string | number | boolean | undefined>;

export class AriHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;
  /** A few sockets of their own for requests a caller is waiting on (dialling an agent). */
  private readonly urgentAgent: http.Agent;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(opts: AriHttpOptions) {
    this.base = new URL(opts.url.replace(/\/$/, '') + '/ari/');
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets, maxFreeSockets: opts.maxSockets });
    this.urgentAgent = new Agent({ keepAlive: true, maxSockets: URGENT_SOCKETS, maxFreeSockets: URGENT_SOCKETS });
    this.auth = 'Basic ' + Buffer.from(`${opts.user}:${opts.password}`).toString('base64');
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }
  post<T>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }
  /**
   * A POST that must not queue behind the media requests of other calls (answers, hold music,
   * bridges) when the shared pool is busy: the time to ring an agent is spent here.
   */
  postUrgent<T>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body, this.urgentAgent);
  }
  put<T>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, query, body);
  }
  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, query);
  }

  request<T>(method: string, path: string, query?: Query, body?: unknown, agent: http.Agent = this.agent): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = mod.request(
        url,
        {
          method,
          agent,
          timeout: this.timeoutMs,
          headers: {
            authorization: this.auth,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 400) return reject(new AriHttpError(method, url.pathname, status, text));
            if (!text) return resolve(undefined as T);
            try {
              resolve(JSON.parse(text) as T);
            } catch {
              resolve(text as T);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`ARI ${method} ${url.pathname} timed out after ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
    this.urgentAgent.destroy();
  }
}

/** 404 from ARI means the channel, bridge or playback is already gone: usually a race with hangup. */
export function isGone(err: unknown): boolean {
  return err instanceof AriHttpError && err.status === 404;
}
