import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttp } from '../../src/http/app.js';
import { fixedTokenAuth } from '../../src/http/auth.js';
import type { AuditEntry } from '../../src/features/audit/audit-repo.js';
import { promptPreviewRoutes } from '../../src/features/ivr/preview-routes.js';
import { PREVIEW_MAX_CHARS, PromptPreview } from '../../src/features/ivr/prompt-preview.js';

/**
 * POST /api/prompts/preview over a stand-in synthesizer (the real one: test/adapters/prompt-preview.test.ts):
 * its bounds, who may use it, the cache and the limit on previews under way.
 */
const ADMIN = 'unit-test-admin-token-0123456789';
const SUPERVISOR = 'unit-test-supervisor-token-01234';
const asked: Array<{ lang: string; text: string }> = [];
/** Texts whose synthesis is held until released, to have previews under way. */
const held = new Map<string, () => void>();
const synth = {
  preview: async (lang: 'zh' | 'en', text: string) => {
    asked.push({ lang, text });
    if (text.startsWith('hold')) await new Promise<void>((resolve) => held.set(text, resolve));
    return Buffer.concat([Buffer.from('RIFF'), Buffer.from(`${lang}:${text}`)]);
  },
};
const audited: AuditEntry[] = [];
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildHttp({
    log: pino({ level: 'silent' }),
    auth: fixedTokenAuth(
      {
        [ADMIN]: { id: 'ops1', role: 'admin', via: 'bootstrap' },
        [SUPERVISOR]: { id: 'sup1', role: 'supervisor', via: 'api_key' },
      },
      audited,
    ),
    probes: [],
    api: [promptPreviewRoutes({ preview: new PromptPreview({ synth, maxPending: 2 }) })],
  });
});
afterAll(async () => {
  await app?.close();
});

const preview = (body: unknown, token = ADMIN) =>
  app.inject({
    method: 'POST',
    url: '/api/prompts/preview',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('POST /api/prompts/preview', () => {
  it('answers audio/wav with the synthesized text, stores and audits nothing', async () => {
    const r = await preview({ text: '您好，欢迎致电。', lang: 'zh' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('audio/wav');
    expect(r.rawPayload.toString()).toBe('RIFFzh:您好，欢迎致电。');
    expect(audited).toEqual([]);
  });

  it('refuses a text over the bound, an empty one, a control character or an unknown language with a 400 naming the field; nothing is synthesized', async () => {
    const before = asked.length;
    const cases: Array<[unknown, string]> = [
      [{ text: '长'.repeat(PREVIEW_MAX_CHARS + 1), lang: 'zh' }, 'body/text'],
      [{ text: '', lang: 'zh' }, 'body/text'],
      [{ text: 'a\u0000b', lang: 'en' }, 'body/text'],
      [{ text: 'hello', lang: 'fr' }, 'body/lang'],
      [{ text: 'hello', lang: 'en', voice: 'x' }, 'body/voice'],
    ];
    for (const [body, field] of cases) {
      const r = await preview(body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect((r.json() as { error: string }).error).toMatch(new RegExp(`^${field}`));
    }
    expect(asked.length).toBe(before);
    // The bound itself is allowed.
    expect((await preview({ text: '长'.repeat(PREVIEW_MAX_CHARS), lang: 'zh' })).statusCode).toBe(200);
  });

  it('is for those who may edit the IVR: a supervisor is refused', async () => {
    expect((await preview({ text: 'hello', lang: 'en' }, SUPERVISOR)).statusCode).toBe(403);
  });

  it('answers the same text again from its cache, one synthesis for both', async () => {
    const text = `cache ${Math.random()}`;
    const before = asked.length;
    const [a, b] = await Promise.all([preview({ text, lang: 'en' }), preview({ text, lang: 'en' })]);
    const c = await preview({ text, lang: 'en' });
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 200, 200]);
    expect(c.rawPayload.toString()).toBe(`RIFFen:${text}`);
    expect(asked.length - before).toBe(1);
    // The same text in the other language is another sound.
    await preview({ text, lang: 'zh' });
    expect(asked.length - before).toBe(2);
  });

  it('has at most two previews under way: a third different text is told to come back (503), then served', async () => {
    const first = preview({ text: 'hold one', lang: 'en' });
    const second = preview({ text: 'hold two', lang: 'en' });
    await expect.poll(() => held.size).toBe(2);
    const third = await preview({ text: 'a third', lang: 'en' });
    expect(third.statusCode).toBe(503);
    expect(third.headers['retry-after']).toBe('2');
    for (const release of held.values()) release();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect((await preview({ text: 'a third', lang: 'en' })).statusCode).toBe(200);
  });
});
