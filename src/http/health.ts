import { Type } from '@sinclair/typebox';
import type { TypedPlugin } from './typed-plugin.js';

export interface HealthProbe {
  name: 'asterisk' | 'postgres' | 'redis';
  check: () => Promise<unknown>;
}

const Component = Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()), ms: Type.Number() });
const HealthReply = Type.Object({
  ok: Type.Boolean(),
  asterisk: Component,
  postgres: Component,
  redis: Component,
});

/** GET /healthz: each dependency checked separately; 503 when any is down. No authentication. */
export function healthRoutes(probes: HealthProbe[], timeoutMs = 1500): TypedPlugin {
  return async (app) => {
    app.get('/healthz', {
      schema: {
        tags: ['health'], summary: 'Asterisk, Postgres and Redis, each checked separately (503 when any is down)',
        security: [], response: { 200: HealthReply, 503: HealthReply },
      },
    }, async (_req, reply) => {
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
      const body = Object.fromEntries(results) as Record<HealthProbe['name'], { ok: boolean; error?: string; ms: number }>;
      const ok = results.every(([, r]) => r.ok);
      return reply.code(ok ? 200 : 503).send({ ok, ...body });
    });
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
