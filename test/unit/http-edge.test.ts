import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { buildHttp, trustedProxies } from '../../src/http/app.js';
import { fixedTokenAuth, type AuthDeps } from '../../src/http/auth.js';
import type { HealthProbe } from '../../src/http/health.js';
import { redact } from '../../src/shared/redact.js';
import { hashIsOld, hashPassword, verifyPassword } from '../../src/shared/secrets.js';

const TOKEN = 'unit-test-token-0123456789';

function counted(): { probes: HealthProbe[]; runs: () => number } {
  let runs = 0;
  const probes: HealthProbe[] = [
    { name: 'asterisk', check: async () => void runs++ },
    {
      name: 'postgres',
      check: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432 as user tax12366');
      },
    },
    { name: 'redis', check: async () => undefined },
  ];
  return { probes, runs: () => runs };
}

describe('/healthz', () => {
  it('runs the probes at most once a second however many ask, and shows why only with a valid token', async () => {
    const { probes, runs } = counted();
    const app = await buildHttp({
      log: pino({ level: 'silent' }),
      auth: fixedTokenAuth({ [TOKEN]: { id: 't', role: 'readonly', via: 'api_key' } }),
      probes,
      api: [],
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject({ url: '/healthz' })));
    expect(runs()).toBe(1);
    for (const a of answers) {
      expect(a.statusCode).toBe(503);
      expect(a.json()).toEqual({ ok: false, asterisk: { ok: true }, postgres: { ok: false }, redis: { ok: true } });
      expect(a.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.5|tax12366/);
    }
    const wrong = await app.inject({ url: '/healthz', headers: { authorization: 'Bearer not-a-token' } });
    expect(wrong.json().postgres).toEqual({ ok: false });
    const withToken = await app.inject({ url: '/healthz', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(withToken.json().postgres).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/), ms: expect.any(Number) });
    expect(runs()).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    await app.inject({ url: '/healthz' });
    expect(runs()).toBe(2);
    await app.close();
  });
});

describe('client addresses (TRUST_PROXY)', () => {
  /** Records the address each unknown token came from. */
  function recording(): { auth: AuthDeps; seen: string[] } {
    const seen: string[] = [];
    return {
      seen,
      auth: {
        ...fixedTokenAuth({}),
        tokenGuesses: { blocked: async () => false, missed: async (ip) => (seen.push(ip), false), retryAfterS: 60 },
      },
    };
  }

  it('X-Forwarded-For counts only from a named proxy', async () => {
    expect(trustedProxies('')).toBe(false);
    expect(trustedProxies(undefined)).toBe(false);
    expect(trustedProxies('10.0.0.1, 10.1.0.0/16')).toEqual(['10.0.0.1', '10.1.0.0/16']);
    const headers = { authorization: 'Bearer guess', 'x-forwarded-for': '203.0.113.9' };
    for (const [trustProxy, from, want] of [
      ['', '10.0.0.1', '10.0.0.1'], // no proxy trusted: the header is ignored
      ['10.0.0.1', '10.0.0.1', '203.0.113.9'], // from the proxy: the client it names
      ['10.0.0.1', '10.0.0.2', '10.0.0.2'], // from anyone else: ignored
      ['10.1.0.0/16', '10.1.2.3', '203.0.113.9'],
    ] as const) {
      const { auth, seen } = recording();
      const app = await buildHttp({ log: pino({ level: 'silent' }), auth, probes: [], api: [], trustProxy });
      expect((await app.inject({ url: '/docs/json', headers, remoteAddress: from })).statusCode).toBe(401);
      expect(seen, `TRUST_PROXY=${trustProxy} from ${from}`).toEqual([want]);
      await app.close();
    }
  });

  it('an address over its unknown-token limit gets 429 before its token is looked up', async () => {
    let lookups = 0;
    const auth: AuthDeps = {
      authenticate: async () => void lookups++,
      appendAudit: async () => undefined,
      tokenGuesses: { blocked: async () => true, missed: async () => true, retryAfterS: 900 },
      csrfKey: 'k',
    };
    const app = await buildHttp({ log: pino({ level: 'silent' }), auth, probes: [], api: [] });
    const r = await app.inject({ url: '/docs/json', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('900');
    expect(lookups).toBe(0);
    await app.close();
  });
});

describe('secrets', () => {
  it('URLs are printed without their password', () => {
    expect(redact('redis://:s3cret@127.0.0.1:6379')).toBe('redis://:***@127.0.0.1:6379');
    expect(redact('postgres://tax12366:s3cret@db:5432/tax12366')).toBe('postgres://tax12366:***@db:5432/tax12366');
    expect(redact('http://127.0.0.1:8088')).toBe('http://127.0.0.1:8088');
  });

  it('passwords use scrypt at OWASP cost (N=2^15, r=8, p=3); older p=1 hashes still verify and are marked for re-hashing', async () => {
    const h = await hashPassword('correct horse');
    expect(h).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(hashIsOld(h)).toBe(false);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    // A hash made by the previous parameters (N=2^15, r=8, p=1).
    const { scryptSync, randomBytes } = await import('node:crypto');
    const salt = randomBytes(16);
    const old = `scrypt$32768$8$1$${salt.toString('base64')}$${scryptSync('old pw', salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64')}`;
    expect(hashIsOld(old)).toBe(true);
    expect(await verifyPassword('old pw', old)).toBe(true);
    // Absurd stored parameters are refused rather than run.
    expect(await verifyPassword('old pw', old.replace('scrypt$32768$', `scrypt$${2 ** 24}$`))).toBe(false);
  });
});
