import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Lang } from '../../core/lang.js';

const run = promisify(execFile);

const VOICE: Record<Lang, string> = { zh: 'cmn', en: 'en' };

export interface PromptSynthOptions {
  /** Asterisk's sounds directory; prompts go to <dir>/tax12366/<lang>/<name>.wav */
  soundsDir: string;
  /** Recorded prompts that replace synthesized ones: <dir>/<lang>/<name>.wav */
  recordedDir: string;
  /**
   * Root filesystem whose espeak-ng and sox are used (Debian sid's espeak-ng 1.52 reads
   * 您, 好, 欢迎 correctly; Debian 12's 1.51 does not). Empty: the host's own tools.
   */
  ttsRoot: string;
}

/**
 * Produces 8 kHz mono WAV prompts for Asterisk from text. A prompt is re-synthesized only
 * when its text changes (a .txt.sha sidecar records what it was made from).
 */
export class PromptSynth {
  constructor(private readonly o: PromptSynthOptions) {}

  /** The media URI Asterisk plays. The language is in the path so no lookup rules apply. */
  static media(lang: Lang, name: string): string {
    return `sound:tax12366/${lang}/${name}`;
  }

  fileFor(lang: Lang, name: string): string {
    return path.join(this.o.soundsDir, 'tax12366', lang, `${name}.wav`);
  }

  /** Ensures the prompt exists; returns how it was produced. Throws with the prompt's name if it cannot be. */
  /**
   * `recordedAs` is the name a recording of this prompt would have (prompts/recorded/<lang>/<name>.wav),
   * when the file name itself is derived (e.g. content-addressed IVR prompts).
   */
  async ensure(lang: Lang, name: string, text: string, recordedAs = name): Promise<'recorded' | 'cached' | 'synthesized'> {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new Error(`prompt name "${name}" must be lowercase letters, digits, - or _`);
    const out = this.fileFor(lang, name);
    await mkdir(path.dirname(out), { recursive: true });
    const recorded = path.join(this.o.recordedDir, lang, `${recordedAs}.wav`);
    if (await exists(recorded)) {
      await copyFile(recorded, out);
      return 'recorded';
    }
    const sha = createHash('sha256').update(`${lang}\n${text}`).digest('hex');
    const sidecar = `${out}.sha`;
    if ((await exists(out)) && (await readFile(sidecar, 'utf8').catch(() => '')) === sha) return 'cached';
    if (!text.trim()) throw new Error(`prompt "${name}" (${lang}) has no text to synthesize`);
    const tag = `tts-${process.pid}-${sha.slice(0, 12)}`;
    const inRoot = (p: string) => (this.o.ttsRoot ? path.join(this.o.ttsRoot, p) : p);
    const raw = `/tmp/${tag}.raw.wav`;
    const pcm = `/tmp/${tag}.wav`;
    try {
      await this.exec('espeak-ng', ['-v', VOICE[lang], '-s', '150', '-w', raw, '--', text]);
      await this.exec('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', pcm, 'vol', '0.8']);
      await rename(inRoot(pcm), out).catch(async () => {
        await copyFile(inRoot(pcm), out);
      });
      await writeFile(sidecar, sha);
    } catch (err) {
      throw new Error(`prompt "${name}" (${lang}) could not be synthesized: ${(err as Error).message}`);
    } finally {
      await rm(inRoot(raw), { force: true });
      await rm(inRoot(pcm), { force: true });
    }
    return 'synthesized';
  }

  private async exec(cmd: string, args: string[]): Promise<void> {
    if (this.o.ttsRoot) await run('chroot', [this.o.ttsRoot, cmd, ...args], { timeout: 30_000 });
    else await run(cmd, args, { timeout: 30_000 });
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
