import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateIvr, alwaysOpen12366, shippedRouting } from '../support/ivr.js';
import { freshAgentId, randomPassword, startTestService, waitFor, type TestRig } from '../support/service.js';

/**
 * Malformed bodies at every write endpoint: each answer is a 4xx with a message, never a 5xx,
 * and nothing stored changes (the tables behind the API and this instance's Redis keys).
 */
let rig: TestRig;
let agentId: string;
const account = `t-fuzz-${randomBytes(3).toString('hex')}`;
const STORED = [
  'ivr_versions',
  'ivr_activations',
  'routing_versions',
  'routing_activations',
  'agents',
  'pause_reasons',
  'accounts',
  'sessions',
  'api_keys',
  'audit_log',
  'events',
  'kb_categories',
  'kb_articles',
  'kb_article_versions',
  'call_summaries',
  'call_summary_versions',
  'work_orders',
  'work_order_steps',
];

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of STORED) {
    // Table names are the constants above, not input.
    const r = await rig.pool.query<{ h: string | null; n: number }>(
      `SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS h, count(*)::int AS n FROM ${t} x`,
    );
    out[t] = `${r.rows[0]!.n}:${r.rows[0]!.h}`;
  }
  const keys: string[] = [];
  for await (const batch of rig.redis.scanStream({ match: `${rig.prefix}:*`, count: 1000 })) keys.push(...(batch as string[]));
  // BullMQ stamps its stalled-job check every 30 s, and each instance its heartbeat every 500 ms
  // (features/cluster): time passing, not a change anyone made. So are the leases with a TTL (an
  // instance's liveness, a singleton job's): renewed on a timer, absent for a moment if a renewal is
  // late under load (one more key after than before, in a CI run).
  const timed = /:(stalled-check|cluster:beats)$|:cluster:(alive|lease):/;
  const watched = keys.filter((k) => !timed.test(k)).sort();
  // Pipelined: the prefix holds a key per recent caller (tens of thousands against a busy database).
  for (let i = 0; i < watched.length; i += 500) {
    const chunk = watched.slice(i, i + 500);
    const types = (await rig.redis.pipeline(chunk.map((k) => ['type', k])).exec())!.map(([, t]) => String(t));
    const read = (k: string, type: string) =>
      type === 'string'
        ? ['get', k]
        : type === 'hash'
          ? ['hgetall', k]
          : type === 'zset'
            ? ['zrange', k, '0', '-1', 'WITHSCORES']
            : type === 'set'
              ? ['smembers', k]
              : ['type', k];
    const values = (await rig.redis.pipeline(chunk.map((k, j) => read(k, types[j]!))).exec())!.map(([, v]) => v);
    chunk.forEach((k, j) => {
      const v = values[j];
      out[`redis ${k}`] =
        types[j] === 'string' ? String(v) : types[j] === 'set' ? JSON.stringify((v as string[]).sort()) : JSON.stringify(v);
    });
  }
  return out;
}

async function send(method: string, url: string, body: string, type = 'application/json') {
  const r = await fetch(`${rig.svc.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${rig.svc.config.ADMIN_TOKEN}`, 'content-type': type },
    body,
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json as { error?: unknown } };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const clone = <T>(v: T): T => structuredClone(v);

/** A value of a different JSON type than `v`, and than `alsoValid` (so a field that had the right type no longer has it). */
const otherType = (v: unknown, alsoValid: readonly string[] = []) =>
  fc
    .oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.string(),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    )
    .filter((x) => typeOf(x) !== typeOf(v) && !alsoValid.includes(typeOf(x)));
const typeOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);

/**
 * Malformed versions of a valid object body: a required field gone, an unknown field, a field of the
 * wrong type, or not an object. `alsoValid`: the other JSON types a field may have (a nullable id),
 * never drawn as the wrong one.
 */
function malformed(valid: Record<string, Json>, required: string[], alsoValid: Record<string, string[]> = {}): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  const dropped = required.map((k) => {
    const b = clone(valid);
    delete b[k];
    return fc.constant(b as unknown);
  });
  return fc.oneof(
    ...dropped,
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !keys.includes(k) && k !== '__proto__'),
        fc.jsonValue(),
      )
      .map(([k, v]) => ({ ...clone(valid), [k]: v })),
    fc.constantFrom(...keys).chain((k) => otherType(valid[k], alsoValid[k]).map((v) => ({ ...clone(valid), [k]: v }))),
    fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.jsonValue(), { maxLength: 3 })),
  );
}

/** Malformed IVR definitions: nodes are closed objects, so an unknown field or a made-up kind is always wrong. */
function malformedIvr(valid: Record<string, any>): fc.Arbitrary<unknown> {
  const ids = Object.keys(valid.nodes);
  return fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...ids),
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter(
            (k) =>
              !(k in {}) &&
              !/^(kind|prompt|next|options|skills|queue|priority|line|subLine|weekly|holidays|workdays|open|closed|target|timeoutS|retries|conventions|onRetriesExhausted|invalidPrompt|timeoutPrompt|maxTurns|sub)$/.test(
                k,
              ),
          ),
      )
      .map(([id, k]) => {
        const b = clone(valid);
        b.nodes[id][k] = 1;
        return b;
      }),
    fc
      .tuple(
        fc.constantFrom(...ids),
        fc.string({ maxLength: 10 }).filter((k) => !['menu', 'play', 'hours', 'queue', 'voicemail', 'transfer', 'hangup'].includes(k)),
      )
      .map(([id, kind]) => {
        const b = clone(valid);
        b.nodes[id].kind = kind;
        return b;
      }),
    fc.constantFrom('start', 'nodes', 'prompts').map((k) => {
      const b = clone(valid);
      delete b[k];
      return b;
    }),
    fc
      .tuple(fc.constantFrom('start', 'nodes', 'prompts'), fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer())))
      .map(([k, v]) => ({ ...clone(valid), [k]: v })),
  );
}

function malformedRouting(valid: Record<string, any>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom('skills', 'queues').map((k) => {
      const b = clone(valid);
      delete b[k];
      return b;
    }),
    fc.tuple(fc.nat({ max: valid.queues.length - 1 }), fc.constantFrom('steps', 'queue', 'strategy')).map(([i, k]) => {
      const b = clone(valid);
      delete b.queues[i][k];
      return b;
    }),
    fc
      .tuple(
        fc.nat({ max: valid.queues.length - 1 }),
        fc
          .string({ minLength: 1, maxLength: 8 })
          .filter(
            (k) => !/^(queue|strategy|steps|onExpiry|wrapUpS|ringTimeoutS|maxWaitS|maxQueued|noAnswerPauseAfter|preferredAgentS)$/.test(k),
          ),
      )
      .map(([i, k]) => {
        const b = clone(valid);
        b.queues[i][k] = true;
        return b;
      }),
    fc
      .tuple(fc.nat({ max: valid.skills.length - 1 }), fc.oneof(fc.integer(), fc.constant(''), fc.constant('BAD CODE')))
      .map(([i, code]) => {
        const b = clone(valid);
        b.skills[i].code = code;
        return b;
      }),
  );
}

interface Endpoint {
  method: string;
  url: string;
  bodies: fc.Arbitrary<unknown>;
}

let endpoints: Endpoint[];

beforeAll(async () => {
  rig = await startTestService();
  // The boot-time sync copies every agent from Postgres into Redis; let it finish before comparing.
  const { n } = (await rig.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM agents WHERE active')).rows[0]!;
  await waitFor('agents synced into Redis', async () => (await rig.redis.keys(`${rig.prefix}:agent:*`)).length >= n, 60_000, 250);
  await activateIvr(rig, alwaysOpen12366());
  agentId = await freshAgentId(rig);
  await rig.svc.agents.save({ agentId, name: '模糊测试', password: randomPassword(), skills: { vat: 3 }, queues: ['ntax-vat'] });
  await rig.svc.agents.move(agentId, 'login', 'test');
  const acc = await send(
    'POST',
    '/api/accounts',
    JSON.stringify({ username: account, displayName: 'fuzz', role: 'readonly', password: randomPassword() }),
  );
  expect(acc.status).toBe(201);
  const agent = { name: '张三', password: 'a-long-password', skills: { vat: 3 }, queues: ['ntax-vat'] };
  const category = await send('POST', '/api/kb/categories', JSON.stringify({ parentId: null, name: `模糊测试-${account}` }));
  expect(category.status).toBe(201);
  const categoryId = (category.body as { id: number }).id;
  const article = { categoryId, question: '模糊测试的问题？', answer: '答案。' };
  const summary = { categoryId, question: '一句话', resolution: 'answered', notes: '', articleIds: [] };
  const order = { type: 'transfer', title: '转办', caller: '057188886666', department: 'dsj' };
  endpoints = [
    { method: 'POST', url: '/api/ivr/versions', bodies: malformedIvr(alwaysOpen12366()) },
    { method: 'POST', url: '/api/routing/versions', bodies: malformedRouting(shippedRouting()) },
    { method: 'PUT', url: `/api/agents/${agentId}`, bodies: malformed(agent, ['name', 'skills', 'queues']) },
    { method: 'PUT', url: `/api/agents/${agentId}/assignment`, bodies: malformed({ queues: ['ntax-vat'] }, []) },
    { method: 'POST', url: `/api/agents/${agentId}/pause`, bodies: malformed({ reason: 'training' }, ['reason']) },
    { method: 'PATCH', url: '/api/pause-reasons/training', bodies: malformed({ zh: '培训', en: 'Training' }, []) },
    { method: 'POST', url: '/api/pause-reasons', bodies: malformed({ code: 'fuzz_new', zh: '模糊', en: 'Fuzz' }, ['code', 'zh', 'en']) },
    {
      method: 'POST',
      url: '/api/accounts',
      bodies: malformed({ username: 'fuzz.new', displayName: 'x', role: 'readonly', password: 'a-long-password' }, [
        'username',
        'displayName',
        'role',
        'password',
      ]),
    },
    { method: 'PATCH', url: `/api/accounts/${account}`, bodies: malformed({ displayName: 'y', role: 'readonly' }, []) },
    { method: 'POST', url: '/api/api-keys', bodies: malformed({ name: 'tool', role: 'readonly' }, ['name', 'role']) },
    { method: 'POST', url: '/api/auth/login', bodies: malformed({ username: account, password: 'whatever' }, ['username', 'password']) },
    { method: 'POST', url: '/api/simulate', bodies: malformed({ caller: '057188886666', digits: '21' }, ['caller', 'digits']) },
    // parentId is null (a top category) or a category's id: CI drew {"parentId":1}, an existing category, and it was created.
    {
      method: 'POST',
      url: '/api/kb/categories',
      bodies: malformed({ parentId: null, name: '模糊' }, ['parentId', 'name'], { parentId: ['number'] }),
    },
    { method: 'POST', url: '/api/kb/articles', bodies: malformed(article, ['categoryId', 'question', 'answer']) },
    // A call nobody made: a well-formed summary is a 404, a malformed one a 400; neither stores anything.
    { method: 'PUT', url: `/api/calls/fuzz-${account}/summary`, bodies: malformed(summary, Object.keys(summary)) },
    { method: 'POST', url: '/api/workorders', bodies: malformed(order, ['type', 'title', 'caller']) },
  ];
});
afterAll(async () => {
  await rig?.stop();
});

describe('malformed input at every write endpoint', () => {
  it('is a 4xx with a message, never a 5xx, and changes nothing stored', async () => {
    const before = await snapshot();
    const seen: Record<string, Set<number>> = {};
    for (const ep of endpoints) {
      await fc.assert(
        fc.asyncProperty(ep.bodies, async (body) => {
          const r = await send(ep.method, ep.url, JSON.stringify(body));
          (seen[`${ep.method} ${ep.url}`] ??= new Set()).add(r.status);
          expect(
            r.status,
            `${ep.method} ${ep.url} ${JSON.stringify(body).slice(0, 300)} -> ${JSON.stringify(r.body).slice(0, 300)}`,
          ).toBeGreaterThanOrEqual(400);
          expect(r.status).toBeLessThan(500);
          expect(typeof r.body.error).toBe('string');
        }),
        { numRuns: 60 },
      );
      // Bodies that are not even JSON, or YAML that is not well-formed.
      for (const raw of ['{', '{"a":', '[1,', 'null x', '\u0000']) {
        const r = await send(ep.method, ep.url, raw);
        expect([ep.url, r.status]).toEqual([ep.url, 400]);
      }
    }
    for (const url of ['/api/ivr/versions', '/api/routing/versions']) {
      const r = await send('POST', url, 'nodes: [unclosed\n  - x: : y', 'application/yaml');
      expect(r.status).toBe(400);
      expect(String(r.body.error)).toMatch(/line \d+/);
    }
    expect(await snapshot()).toEqual(before);
  }, 300_000);
});
