import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import { simulateRoutes } from '../../src/features/routing/simulate-routes.js';
import type { SimulationRequest } from '../../src/features/routing/simulator.js';

/** POST /api/simulate with an unsaved routing document: how it is passed on, and how a refused one is answered. */
const TOKEN = 'unit-test-token-0123456789';
const asked: SimulationRequest[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth({ [TOKEN]: { id: 'sup', role: 'supervisor', via: 'bootstrap' } }),
    probes: [],
    api: [
      simulateRoutes({
        simulator: {
          run: async (q) => {
            asked.push(q);
            return { ok: false, invalid: [{ path: '/queues/1/steps/0/afterS', message: 'expected number to be greater or equal to 0' }] };
          },
        },
      }),
    ],
  });
});
afterAll(async () => {
  await app?.close();
});

const simulate = (body: unknown) =>
  app.inject({
    method: 'POST',
    url: '/api/simulate',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('POST /api/simulate with an unsaved routing document', () => {
  it('passes the document on, and answers a refused one with a 422 whose paths point into the request body', async () => {
    const doc = { skills: [], queues: [{ queue: 'x' }] };
    const r = await simulate({ caller: '057100000001', digits: '21', routing: doc });
    expect(asked.at(-1)).toMatchObject({ caller: '057100000001', digits: '21', routingDocument: doc, routingVersion: undefined });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toEqual({
      error: 'routing document rejected: 1 problem(s)',
      errors: [{ path: '/routing/queues/1/steps/0/afterS', message: 'expected number to be greater or equal to 0' }],
    });
  });

  it('refuses a document and a version together, naming the field, without simulating', async () => {
    const before = asked.length;
    const r = await simulate({ caller: '057100000001', digits: '21', routing: {}, routingVersion: 3 });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatch(/^body\/routing: /);
    expect(asked.length).toBe(before);
  });
});
