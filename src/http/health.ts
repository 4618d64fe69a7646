import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { SharedRead } from '../shared/shared-read.js';
import { bearerOf, type AuthDeps } from './auth.js';
import type { TypedPlugin } from './typed-plugin.js';

export interface HealthProbe {
  name: 'asterisk' | 'postgres' | 'redis';
  check: () => Promise<unknown>;
}

const Component = Type.Object({
  ok: Type.Boolean(),
  error: Type.Optional(Type.String({ description: 'why it is down; only with a valid bearer token' })),
  ms: Type.Optional(Type.Number({ description: 'how long the check took; only with a valid bearer token' })),
});
const HealthReply = Type.Object({
  ok: Type.Boolean(),
  asterisk: Component,
  postgres: Component,
  redis: Component,
});

type Checked = Record<HealthProbe['name'], { ok: boolean; error?: string; ms: number }>;

/**
 * GET /healthz: each dependency checked separately; 503 when any is down. No authentication
 * needed, so it is cheap and says little: the probes run at most once per `cacheMs` however many
 * ask (they share ARI's pool with the calls), and a caller without a valid bearer token hears
 * only ok/down per dependency; the dependency's own error text (addresses, user names) and the
 * timings go to those with one.
 */
export function healthRoutes(probes: HealthProbe[], d: { auth?: AuthDeps; timeoutMs?: number; cacheMs?: number } = {}): TypedPlugin {
  const timeoutMs = d.timeoutMs ?? 1500;
  const checked = new SharedRead(
    async () => {
      const results = await Promise.all(
        probes.map(async (p) => {
          const t0 = performance.now();
          try {
            await withTimeout(p.check(), timeoutMs, p.name);
            return [p.name, { ok: true, ms: Math.round(performance.now() - t0) }] as const;
          } catch (err) {
            return [p.name, { ok: false, error: (err as Error).message, ms: Math.round(performance.now() - t0) }] as const;
          }
        }),
      );
      return { ok: results.every(([, r]) => r.ok), body: Object.fromEntries(results) as Checked };
    },
    d.cacheMs ?? 1000,
    () => Date.now(),
  );

  /** A valid bearer token, counted like any other guess when it is not one. */
  const detailsFor = async (req: FastifyRequest): Promise<boolean> => {
    const token = bearerOf(req);
    const auth = d.auth;
    if (!token || !auth) return false;
    if (auth.tokenGuesses && (await auth.tokenGuesses.blocked(req.ip))) return false;
    if (await auth.authenticate(token)) return true;
    await auth.tokenGuesses?.missed(req.ip);
    return false;
  };

  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['health'],
          summary: 'Asterisk, Postgres and Redis, each checked separately (503 when any is down); details with a bearer token',
          security: [],
          response: { 200: HealthReply, 503: HealthReply },
        },
      },
      async (req, reply) => {
        const [{ ok, body }, details] = await Promise.all([checked.get(), detailsFor(req)]);
        const shown = Object.fromEntries(Object.entries(body).map(([name, c]) => [name, details ? c : { ok: c.ok }])) as Checked;
        return reply
          .code(ok ? 200 : 503)
          .header('cache-control', 'no-store')
          .send({ ok, ...shown });
      },
    );
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
