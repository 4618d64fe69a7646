import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import { PREVIEW_MAX_CHARS, type PromptPreview } from './prompt-preview.js';

const Body = Type.Object(
  {
    // No control characters: a prompt is one spoken line (tab and newline are spoken as pauses).
    text: Type.String({ minLength: 1, maxLength: PREVIEW_MAX_CHARS, pattern: '^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f]*$' }),
    lang: Type.Union([Type.Literal('zh'), Type.Literal('en')]),
  },
  { additionalProperties: false },
);

/**
 * POST /api/prompts/preview: a prompt text synthesized as callers would hear it (the service's
 * own espeak-ng and sox), so ops can listen before saving an IVR version. Stores nothing.
 */
export function promptPreviewRoutes(d: { preview: Pick<PromptPreview, 'wav'> }): FastifyPluginAsync {
  return async (plugin) => {
    strictValidation(plugin);
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/api/prompts/preview',
      {
        bodyLimit: 8 * 1024,
        schema: {
          tags: ['ivr'],
          summary: 'Hear a prompt text as the IVR would play it (8 kHz WAV); nothing is stored',
          body: Body,
          response: {
            200: {
              description: 'the synthesized prompt',
              content: { 'audio/wav': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
            },
            503: Type.Object({ error: Type.String() }),
          },
        },
      },
      async (req, reply) => {
        const { text, lang } = req.body;
        const r = await d.preview.wav(lang, text);
        if (!r.ok) return reply.code(503).header('retry-after', '2').send({ error: 'prompt previews are busy: try again in a moment' });
        return reply.type('audio/wav').header('cache-control', 'no-store').send(r.wav);
      },
    );
  };
}
