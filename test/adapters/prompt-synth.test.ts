import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { PromptSynth } from '../../src/adapters/prompts/synth.js';
import type { IvrDefinition } from '../../src/core/ivr/definition.js';
import { ivrKind } from '../../src/features/ivr/catalog.js';
import { VersionedCatalog } from '../../src/features/versioned-config/catalog.js';
import { MemoryPointer, MemoryVersionStore } from '../support/memory-versions.js';

/**
 * The real espeak-ng and sox, in the rig's Debian sid root filesystem (as the service runs them),
 * writing into a sounds directory of this test's own.
 */
const TTS_ROOT = process.env.TTS_ROOT || '/var/cache/tax12366/sid-rootfs';
const sounds = mkdtempSync(path.join(tmpdir(), 'tax12366-sounds-'));
const synth = new PromptSynth({ soundsDir: sounds, recordedDir: path.join(sounds, 'no-recordings'), ttsRoot: TTS_ROOT });
afterAll(() => rmSync(sounds, { recursive: true, force: true }));

const files = () =>
  readdirSync(path.join(sounds, 'tax12366', 'en'))
    .filter((f) => f.endsWith('.wav'))
    .sort();
const isWav = (file: string) => readFileSync(file).subarray(0, 4).toString() === 'RIFF';

describe('PromptSynth', () => {
  it('speaks a text that looks like an espeak-ng option, and writes no file it names', async () => {
    const target = `/tmp/tax12366-phonout-${randomBytes(4).toString('hex')}`;
    for (const text of [`--phonout=${target}`, `-w ${target}`]) {
      const name = `dash-${randomBytes(3).toString('hex')}`;
      expect(await synth.ensure('en', name, text)).toBe('synthesized');
      expect(isWav(synth.fileFor('en', name))).toBe(true);
      expect(existsSync(path.join(TTS_ROOT, target))).toBe(false);
      expect(existsSync(target)).toBe(false);
    }
  }, 60_000);
});

describe('IVR prompts of a refused upload', () => {
  const def = (texts: string[]): IvrDefinition => ({
    name: 'prompts',
    start: 'bye',
    prompts: Object.fromEntries(texts.map((en, i) => [`p${i}`, { zh: '再见', en }])),
    nodes: { bye: { kind: 'hangup', prompt: 'p0' } },
  });
  // No transfer nodes here: the dial policy is never asked.
  const catalog = new VersionedCatalog(
    ivrKind({
      synth,
      activeRouting: async () => ({ config: { skills: [], queues: [] } }),
      mayDial: () => ({ ok: false, reason: 'unknown_number', detail: 'not asked' }),
    }),
    {
      store: new MemoryVersionStore<IvrDefinition>(),
      pointer: new MemoryPointer(),
      log: pino({ level: 'silent' }),
      serialize: (f) => f(),
    },
  );

  it('are removed, except those a stored version plays', async () => {
    const nonce = randomBytes(4).toString('hex');
    const [kept, fresh] = [`Kept ${nonce}`, `Fresh ${nonce}`];
    expect(await catalog.upload(def([kept]), 'ops')).toEqual({ ok: true, version: 1 });
    const stored = files();
    // A text of blanks passes the schema but has nothing to speak: refused after the others were made.
    const r = await catalog.upload(def([kept, fresh, '   ']), 'ops');
    expect(r).toMatchObject({ ok: false, errors: [{ path: '/prompts/p2/en' }] });
    expect(files()).toEqual(stored);
    // Uploaded again without the blank one, the fresh prompt is made anew.
    expect(await catalog.upload(def([kept, fresh]), 'ops')).toEqual({ ok: true, version: 2 });
    expect(files()).toHaveLength(stored.length + 1);
  }, 60_000);
});
