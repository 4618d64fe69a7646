import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Lang } from '../../core/lang.js';
import { KeyedSerial } from '../../shared/keyed-serial.js';
import { Limiter } from '../../shared/limiter.js';

const run = promisify(execFile);

/**
 * espeak-ng and sox each take a core while they run; two at once in this process, so uploads
 * arriving together (or a large one and system prompts at start) leave the CPU to calls.
 */
const SYNTHESIS = new Limiter(2);
/** One production per output file at a time: two uploads sharing a text must not write it together. */
const SAME_FILE = new KeyedSerial();
let made = 0;

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
    return SAME_FILE.run(out, () => this.produce(lang, name, text, recordedAs, out));
  }

  /**
   * Removes prompt files and their sidecars, except those `keep` names (as "<lang>/<name>"). `keep`
   * is asked while no production of these files can run, so a file another upload found already
   * made (and so will not make again) is never removed under it: either that upload is asked
   * about by `keep`, or it comes after and makes the file anew.
   */
  async removeExcept(files: ReadonlyArray<{ lang: Lang; name: string }>, keep: () => Promise<ReadonlySet<string>>): Promise<void> {
    for (const f of files)
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(f.name)) throw new Error(`prompt name "${f.name}" must be lowercase letters, digits, - or _`);
    // Taken in one order (sorted), so two removals cannot wait on each other; a production holds one file at a time.
    const outs = [...new Set(files.map((f) => this.fileFor(f.lang, f.name)))].sort();
    const holding = async (i: number, then: () => Promise<void>): Promise<void> =>
      i === outs.length ? then() : SAME_FILE.run(outs[i]!, () => holding(i + 1, then));
    await holding(0, async () => {
      const kept = await keep();
      for (const f of files) {
        if (kept.has(`${f.lang}/${f.name}`)) continue;
        const out = this.fileFor(f.lang, f.name);
        await rm(out, { force: true });
        await rm(`${out}.sha`, { force: true });
      }
    });
  }

  private async produce(
    lang: Lang,
    name: string,
    text: string,
    recordedAs: string,
    out: string,
  ): Promise<'recorded' | 'cached' | 'synthesized'> {
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
    try {
      await this.synthesize(lang, text, sha, async (pcm) => {
        await rename(pcm, out).catch(async () => {
          await copyFile(pcm, out);
        });
      });
      await writeFile(sidecar, sha);
    } catch (err) {
      throw new Error(`prompt "${name}" (${lang}) could not be synthesized: ${(err as Error).message}`);
    }
    return 'synthesized';
  }

  /**
   * The sound a prompt text would make, as callers would hear it (the same voice, speed and
   * 8 kHz conversion), without writing any prompt file: for ops to listen before they save.
   */
  async preview(lang: Lang, text: string): Promise<Buffer> {
    if (!text.trim()) throw new Error('no text to synthesize');
    const sha = createHash('sha256').update(`${lang}\n${text}`).digest('hex');
    let wav: Buffer | undefined;
    await this.synthesize(lang, text, sha, async (pcm) => {
      wav = await readFile(pcm);
    });
    return wav!;
  }

  /** espeak-ng then sox, in child processes (never on this thread), two at a time per process; `take` gets the 8 kHz WAV's host path. */
  private async synthesize(lang: Lang, text: string, sha: string, take: (pcm: string) => Promise<void>): Promise<void> {
    // Numbered too: two files of the same text (a system prompt and an IVR one) may be made at once.
    const tag = `tts-${process.pid}-${sha.slice(0, 12)}-${++made}`;
    const inRoot = (p: string) => (this.o.ttsRoot ? path.join(this.o.ttsRoot, p) : p);
    const raw = `/tmp/${tag}.raw.wav`;
    const pcm = `/tmp/${tag}.wav`;
    try {
      // `--` ends espeak-ng's options: a text starting with '-' is spoken, never read as one.
      // execFile, no shell: the text is one argument, so $( ), ; and | are only characters.
      await SYNTHESIS.run(async () => {
        await this.exec('espeak-ng', ['-v', VOICE[lang], '-s', '150', '-w', raw, '--', text]);
        await this.exec('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', pcm, 'vol', '0.8']);
      });
      await take(inRoot(pcm));
    } finally {
      await rm(inRoot(raw), { force: true });
      await rm(inRoot(pcm), { force: true });
    }
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
