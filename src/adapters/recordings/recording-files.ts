import { execFile } from 'node:child_process';
import { open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a finished recording's file holds. */
export interface RecordingFileFacts {
  sizeBytes: number;
  durationMs: number;
  sha256: string;
}

/**
 * Asterisk's recording directory as this process sees it (a shared volume when Asterisk runs on
 * another host): resolves recording names to files, tells when a file is complete, and reads or
 * deletes it. Names come from our own database (core/call/recording.ts builds them from the call
 * id and a date), and are checked again here: no name leaves the directory.
 */
export class RecordingFiles {
  private readonly root: string;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  get dir(): string {
    return this.root;
  }

  /** The file of a recording name (Asterisk adds the format as extension). */
  pathOf(name: string, format = 'wav'): string {
    if (!/^[A-Za-z0-9/_.-]{1,200}$/.test(name) || name.includes('..') || !/^[a-z0-9]{1,8}$/.test(format))
      throw new Error(`not a recording name: ${JSON.stringify(name)}`);
    const p = path.resolve(this.root, `${name}.${format}`);
    if (!p.startsWith(this.root + path.sep)) throw new Error(`recording name leaves the directory: ${name}`);
    return p;
  }

  /**
   * Waits until Asterisk closed the file: a WAV's header gets its sizes when the file is closed,
   * so a RIFF size of (file size - 8) that holds still between two looks means it is complete.
   * Resolves undefined if there is no file within `timeoutMs`.
   */
  async waitComplete(name: string, timeoutMs = 10_000, pollMs = 150): Promise<{ size: number } | undefined> {
    const file = this.pathOf(name);
    const until = Date.now() + timeoutMs;
    let last = -1;
    for (;;) {
      const h = await wavHeader(file).catch(() => undefined);
      if (h && h.riffSize === h.fileSize - 8 && h.fileSize === last) return { size: h.fileSize };
      last = h?.fileSize ?? -1;
      if (Date.now() > until) return h ? { size: h.fileSize } : undefined;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /**
   * Size, duration (from the WAV's format and data chunk) and SHA-256. The hash is computed by
   * `sha256sum` in a child process: reading and hashing a long call's file is not work for the
   * thread that serves calls.
   */
  async facts(name: string): Promise<RecordingFileFacts> {
    const file = this.pathOf(name);
    const h = await wavHeader(file);
    const { stdout } = await run('sha256sum', ['--', file], { maxBuffer: 4096 });
    const sha256 = stdout.slice(0, 64);
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`sha256sum gave no hash for ${file}`);
    const durationMs = h.byteRate > 0 ? Math.round(((h.dataSize ?? Math.max(0, h.fileSize - 44)) / h.byteRate) * 1000) : 0;
    return { sizeBytes: h.fileSize, durationMs, sha256 };
  }

  async size(name: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(name))).size;
    } catch {
      return undefined;
    }
  }

  /** Deletes a recording's file; true if it was there. */
  async remove(name: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(name));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

interface WavHeader {
  fileSize: number;
  riffSize: number;
  byteRate: number;
  /** The data chunk's declared size, when the header has one. */
  dataSize?: number;
}

/** Reads a WAV header's chunk sizes (RIFF, fmt's byte rate, data) from the first 512 bytes. */
async function wavHeader(file: string): Promise<WavHeader> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(512, size));
    await fh.read(buf, 0, buf.length, 0);
    if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
      return { fileSize: size, riffSize: -1, byteRate: 0 };
    const h: WavHeader = { fileSize: size, riffSize: buf.readUInt32LE(4), byteRate: 0 };
    for (let at = 12; at + 8 <= buf.length;) {
      const id = buf.toString('ascii', at, at + 4);
      const len = buf.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 20 <= buf.length) h.byteRate = buf.readUInt32LE(at + 16);
      if (id === 'data') {
        h.dataSize = Math.min(len, size - at - 8);
        break;
      }
      at += 8 + len + (len % 2);
    }
    return h;
  } finally {
    await fh.close();
  }
}
