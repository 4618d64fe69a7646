import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { DomainEvent } from '../../core/events.js';

/** An event with its place in this instance's outbox: seq only grows, across restarts and compactions. */
export interface Sequenced {
  seq: number;
  event: DomainEvent;
}

export interface Cursor {
  /** Last seq this store has. */
  seq: number;
  /** Byte offset in the journal just after it. */
  offset: number;
}

/**
 * The outbox: every event is appended to a local file before any store sees it, so an outage
 * of Postgres or Redis, or a restart of the service, loses nothing. Each store keeps a cursor
 * (persisted beside the journal) and catches up from it. When every store has everything, the
 * file is emptied; seq numbers carry on.
 */
export class Journal {
  private readonly fd: number;
  private nextSeq: number;
  private size: number;

  constructor(
    private readonly dir: string,
    private readonly name: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(this.file, 'a+');
    this.size = fstatSync(this.fd).size;
    const meta = this.readMeta();
    this.nextSeq = Math.max(meta.nextSeq, this.lastSeqInFile() + 1);
  }

  get file(): string {
    return path.join(this.dir, `${this.name}.jsonl`);
  }
  get end(): Cursor {
    return { seq: this.nextSeq - 1, offset: this.size };
  }

  append(events: readonly DomainEvent[]): void {
    if (!events.length) return;
    const lines = events.map((event) => JSON.stringify({ seq: this.nextSeq++, event })).join('\n') + '\n';
    const buf = Buffer.from(lines);
    writeSync(this.fd, buf);
    this.size += buf.length;
  }

  /** Up to `max` events after the cursor, and the cursor after them. */
  read(from: Cursor, max: number): { items: Sequenced[]; next: Cursor } {
    const items: Sequenced[] = [];
    let { offset, seq } = from;
    // Sized to what is left (usually a few lines), not a fixed megabyte per read.
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(1 << 20, this.size - offset)));
    while (items.length < max && offset < this.size) {
      const n = readSync(this.fd, buf, 0, Math.min(buf.length, this.size - offset), offset);
      let start = 0;
      while (items.length < max) {
        const nl = buf.indexOf(10, start);
        if (nl < 0 || nl >= n) break;
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        if (!line) continue;
        const it = JSON.parse(line) as Sequenced;
        if (it.seq > seq) items.push(it);
        seq = Math.max(seq, it.seq);
      }
      if (start === 0) break;
      offset += start;
    }
    return { items, next: { seq, offset } };
  }

  /** Empties the file once every store has all of it; cursors go back to offset 0, seq carries on. */
  compactIfDone(cursors: Cursor[]): boolean {
    if (!this.size || cursors.some((c) => c.offset < this.size)) return false;
    this.writeMeta();
    ftruncateSync(this.fd, 0);
    this.size = 0;
    return true;
  }

  loadCursor(store: string): Cursor {
    const f = path.join(this.dir, `${this.name}.${store}.cursor`);
    if (!existsSync(f)) return { seq: 0, offset: 0 };
    const c = JSON.parse(readFileSync(f, 'utf8')) as Cursor;
    // After a compaction the file restarted at 0; a cursor past its end means "all of it".
    return c.offset > this.size ? { seq: c.seq, offset: 0 } : c;
  }

  saveCursor(store: string, c: Cursor): void {
    const f = path.join(this.dir, `${this.name}.${store}.cursor`);
    writeFileSync(`${f}.tmp`, JSON.stringify(c));
    renameSync(`${f}.tmp`, f);
  }

  close(): void {
    this.writeMeta();
    closeSync(this.fd);
  }

  private readMeta(): { nextSeq: number } {
    const f = path.join(this.dir, `${this.name}.meta`);
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { nextSeq: number }) : { nextSeq: 1 };
  }
  private writeMeta(): void {
    writeFileSync(path.join(this.dir, `${this.name}.meta`), JSON.stringify({ nextSeq: this.nextSeq }));
  }
  private lastSeqInFile(): number {
    if (!this.size) return 0;
    const tail = Buffer.alloc(Math.min(this.size, 1 << 16));
    readSync(this.fd, tail, 0, tail.length, this.size - tail.length);
    const lines = tail.toString('utf8').trimEnd().split('\n');
    const last = lines[lines.length - 1];
    try {
      return last ? (JSON.parse(last) as Sequenced).seq : 0;
    } catch {
      return 0;
    }
  }
}
