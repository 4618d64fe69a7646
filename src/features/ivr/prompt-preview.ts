import type { Lang } from '../../core/lang.js';
import type { PromptSynth } from '../../adapters/prompts/synth.js';

/** The longest text a preview synthesizes: the shipped prompts are at most ~90 characters. */
export const PREVIEW_MAX_CHARS = 300;

export type PreviewResult = { ok: true; wav: Buffer; cached: boolean } | { ok: false; busy: true };

/**
 * "Play" on the IVR page: a prompt text as callers would hear it, before it is saved. Each preview
 * is a child process (espeak-ng, sox) taking a core while it runs, so at most `maxPending` are
 * under way at once (the rest are told to try again, never queued without bound); the same text
 * asked again (press play twice, or two ops on one prompt) is answered from a small cache, and
 * asked while it is being made shares that production.
 */
export class PromptPreview {
  private readonly cache = new Map<string, Buffer>();
  private cacheBytes = 0;
  private readonly making = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly d: {
      synth: Pick<PromptSynth, 'preview'>;
      maxPending?: number;
      cacheEntries?: number;
      cacheBytes?: number;
    },
  ) {}

  async wav(lang: Lang, text: string): Promise<PreviewResult> {
    const key = `${lang}\n${text}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last: Map keeps insertion order, so the oldest is first to go.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return { ok: true, wav: hit, cached: true };
    }
    let pending = this.making.get(key);
    if (!pending) {
      if (this.making.size >= (this.d.maxPending ?? 2)) return { ok: false, busy: true };
      pending = this.d.synth.preview(lang, text).finally(() => this.making.delete(key));
      this.making.set(key, pending);
      void pending.then((wav) => this.keep(key, wav)).catch(() => undefined);
    }
    return { ok: true, wav: await pending, cached: false };
  }

  private keep(key: string, wav: Buffer): void {
    const maxBytes = this.d.cacheBytes ?? 8 * 1024 * 1024;
    if (wav.length > maxBytes || this.cache.has(key)) return;
    this.cache.set(key, wav);
    this.cacheBytes += wav.length;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= (this.d.cacheEntries ?? 32) && this.cacheBytes <= maxBytes) break;
      this.cache.delete(k);
      this.cacheBytes -= v.length;
    }
  }
}
