import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { agentRoutes } from '../../src/features/agents/routes.js';
import type { AgentRecord } from '../../src/features/agents/agent-repo.js';
import { AgentInputError, type AgentService, type SaveAgent, type StateChange } from '../../src/features/agents/agent-service.js';

const TOKEN = 'unit-test-token-0123456789';
const stored = new Map<string, AgentRecord>();
const saved: SaveAgent[] = [];

/** Just enough of AgentService for the routes: agents in a map, every agent logged out. */
const agents = {
  get: async (id: string) => stored.get(id),
  live: async () => undefined,
  list: async () => [...stored.values()].map((agent) => ({ agent, live: undefined })),
  save: async (p: SaveAgent) => {
    saved.push(p);
    const old = stored.get(p.agentId);
    if (!old && !p.password) throw new AgentInputError('password', `password is required to create agent ${p.agentId}`);
    const agent = {
      agentId: p.agentId,
      name: p.name,
      sipMd5: 'x'.repeat(32),
      skills: p.skills ?? {},
      queues: p.queues ?? [],
      active: true,
    };
    stored.set(p.agentId, agent);
    return { created: !old, agent };
  },
  login: async (agentId: string): Promise<StateChange> =>
    stored.has(agentId)
      ? { applied: true, agentId, from: 'logged_out', state: 'available' }
      : { applied: false, agentId, problem: 'unknown_agent' },
  pause: async (agentId: string, reason: string): Promise<StateChange> =>
    reason === 'training'
      ? { applied: false, agentId, problem: 'not_applicable', state: 'on_call' }
      : { applied: false, agentId, problem: 'unknown_pause_reason', pauseReason: reason },
} as unknown as AgentService;

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [TOKEN]: { id: 'test', role: 'admin', via: 'bootstrap' } }),
    probes: [],
    api: [agentRoutes({ agents })],
  });
});
afterAll(async () => {
  await app.close();
});

const call = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown, token = TOKEN) =>
  app.inject({ method, url, payload: payload as object | undefined, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('agents routes', () => {
  it('needs the token', async () => {
    expect((await call('GET', '/api/agents', undefined, '')).statusCode).toBe(401);
    expect((await call('PUT', '/api/agents/1001', {}, 'wrong-token-wrong-token-00')).statusCode).toBe(401);
  });

  it('creates (201) then updates (200), returning the agent without its password', async () => {
    const body = { name: '张伟', password: 'secret-password', skills: { vat: 5 }, queues: ['ntax-vat'] };
    const a = await call('PUT', '/api/agents/1001', body);
    expect(a.statusCode).toBe(201);
    expect(a.json()).toEqual({
      agentId: '1001',
      name: '张伟',
      skills: { vat: 5 },
      queues: ['ntax-vat'],
      state: 'logged_out',
      registered: false,
      pauseReason: null,
      since: null,
      callId: null,
    });
    const b = await call('PUT', '/api/agents/1001', { name: '张伟', skills: {}, queues: [] });
    expect(b.statusCode).toBe(200);
    expect(saved.at(-1)).toEqual({ agentId: '1001', name: '张伟', password: undefined, skills: {}, queues: [] });
    expect((await call('PUT', '/api/agents/1002', { name: 'x', skills: {}, queues: [] })).json().error).toBe(
      'body/password: password is required to create agent 1002',
    );
  });

  it('names the field in every validation error, and rejects unknown fields', async () => {
    const good = { name: '张伟', password: 'secret-password', skills: { vat: 3 }, queues: [] };
    const cases: Array<[string, unknown, string]> = [
      ['/api/agents/1001', { ...good, skills: { vat: 7 } }, 'body/skills/vat expected integer to be less or equal to 5'],
      ['/api/agents/1001', { ...good, password: 'short' }, 'body/password expected string length greater or equal to 8'],
      ['/api/agents/1001', { ...good, admin: true }, 'body/admin is not an allowed field'],
      ['/api/agents/1001', { ...good, name: undefined }, 'body/name is required'],
      ['/api/agents/1001', { ...good, skills: { 'VAT!': 3 } }, 'body/skills/VAT! is not an allowed field'],
      ['/api/agents/abc', good, 'params/id expected string to match'],
    ];
    for (const [url, body, want] of cases) {
      const r = await call('PUT', url, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json().error, JSON.stringify(body)).toContain(want);
    }
  });

  it('maps refusals to 404, 409 and 422', async () => {
    expect((await call('POST', '/api/agents/1001/login')).json()).toEqual({
      agentId: '1001',
      from: 'logged_out',
      state: 'available',
      pauseReason: null,
    });
    const nobody = await call('POST', '/api/agents/9999/login');
    expect([nobody.statusCode, nobody.json()]).toEqual([404, { error: 'agent 9999 does not exist' }]);
    const busy = await call('POST', '/api/agents/1001/pause', { reason: 'training' });
    expect([busy.statusCode, busy.json()]).toEqual([409, { error: 'agent 1001 is on_call, cannot pause', state: 'on_call' }]);
    const odd = await call('POST', '/api/agents/1001/pause', { reason: 'nap' });
    expect(odd.statusCode).toBe(422);
    expect(odd.json().error).toMatch(/^body\/reason: pause reason "nap" does not exist/);
  });
});
