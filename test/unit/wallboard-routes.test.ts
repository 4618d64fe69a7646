import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import type { AuditEntry } from '../../src/features/audit/audit-service.js';
import { wallboardRoutes } from '../../src/features/wallboard/routes.js';
import { ThresholdsService } from '../../src/features/wallboard/thresholds-service.js';
import { DEFAULT_THRESHOLDS } from '../../src/core/wallboard/thresholds.js';

const SUPERVISOR = 'unit-supervisor-0123456789';
const READONLY = 'unit-readonly-0123456789';
const AGENT = 'unit-agent-0123456789';
const tokens = {
  [SUPERVISOR]: { id: 'sup', role: 'supervisor', via: 'bootstrap' },
  [READONLY]: { id: 'ro', role: 'readonly', via: 'bootstrap' },
  [AGENT]: { id: 'ag', role: 'agent', via: 'bootstrap', agentId: '1001' },
} as const;
/** The Postgres table, as a map. */
const stored = new Map<string, unknown>();
const audited: AuditEntry[] = [];
let app: FastifyInstance;
beforeAll(async () => {
  const thresholds = new ThresholdsService({ get: async (n) => stored.get(n), put: async (n, v) => void stored.set(n, v) });
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth(tokens as unknown as Parameters<typeof fixedTokenAuth>[0], audited),
    probes: [],
    api: [wallboardRoutes({ thresholds })],
  });
});
afterAll(async () => {
  await app.close();
});

const call = async (token: string, method: 'GET' | 'PUT', body?: unknown) => {
  const r = await app.inject({
    method,
    url: '/api/wallboard/thresholds',
    headers: { authorization: `Bearer ${token}` },
    payload: body as object,
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};
const low = {
  waiting: { amber: 1, red: 2 },
  longestWaitS: { amber: 5, red: 10 },
  serviceLevelPct: { amber: 90, red: 70 },
  abandonRatePct: { amber: 2, red: 10 },
};

describe('wallboard thresholds routes', () => {
  it('the defaults before anyone set them, for anyone who sees the wallboard (an agent too)', async () => {
    expect(await call(AGENT, 'GET')).toEqual({ status: 200, body: DEFAULT_THRESHOLDS });
    expect((await call(READONLY, 'GET')).status).toBe(200);
  });

  it('a supervisor sets them for everyone; the change is audited with before and after', async () => {
    expect(await call(SUPERVISOR, 'PUT', low)).toEqual({ status: 200, body: low });
    expect((await call(READONLY, 'GET')).body).toEqual(low);
    expect(audited.at(-1)).toMatchObject({
      action: 'wallboard.thresholds',
      actor: 'sup',
      targetId: 'thresholds',
      before: DEFAULT_THRESHOLDS,
      after: low,
    });
  });

  it('amber not before red is refused naming the field, and nothing changes', async () => {
    const n = audited.length;
    const r = await call(SUPERVISOR, 'PUT', { ...low, waiting: { amber: 5, red: 5 } });
    expect(r).toEqual({ status: 400, body: { error: 'body/waiting/amber: must be below red (5)' } });
    const sl = await call(SUPERVISOR, 'PUT', { ...low, serviceLevelPct: { amber: 70, red: 90 } });
    expect(sl.body.error).toMatch(/^body\/serviceLevelPct\/red: /);
    expect((await call(SUPERVISOR, 'GET')).body).toEqual(low);
    expect(audited.length).toBe(n);
  });

  it('out of bounds, missing or unknown fields are refused at the field', async () => {
    const big = await call(SUPERVISOR, 'PUT', { ...low, abandonRatePct: { amber: 2, red: 101 } });
    expect(big.status).toBe(400);
    expect(big.body.error).toMatch(/^body\/abandonRatePct\/red/);
    const extra = await call(SUPERVISOR, 'PUT', { ...low, colour: 'blue' });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatch(/colour/);
    const missing = await call(SUPERVISOR, 'PUT', { waiting: low.waiting });
    expect(missing.status).toBe(400);
    expect((await call(SUPERVISOR, 'GET')).body).toEqual(low);
  });

  it('readonly and agent accounts may not change them (403), and nothing changes', async () => {
    const changed = { ...low, waiting: { amber: 50, red: 100 } };
    expect((await call(READONLY, 'PUT', changed)).status).toBe(403);
    expect((await call(AGENT, 'PUT', changed)).status).toBe(403);
    expect((await call(SUPERVISOR, 'GET')).body).toEqual(low);
  });
});
