import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/core/events.js';
import { Journal, type Sequenced } from '../../src/adapters/outbox/journal.js';
import { EventPublisher, type EventWriter } from '../../src/features/events/publisher.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'outbox-test-'));
  dirs.push(d);
  return d;
};
const log = pino({ level: 'silent' });
let n = 0;
const ev = (): DomainEvent => ({
  type: 'agent.state_changed',
  agentId: 'a',
  from: 'available',
  to: 'paused',
  id: `e${++n}`,
  at: new Date().toISOString(),
  v: 1,
});

/** A store that can be switched off, and that records what it got (by seq, to spot doubles). */
function store(name: string) {
  const got: number[] = [];
  let up = true;
  const w: EventWriter & { got: number[]; set: (u: boolean) => void } = {
    name,
    got,
    set: (u) => (up = u),
    write: async (batch: readonly Sequenced[]) => {
      if (!up) throw new Error(`${name} down`);
      for (const b of batch) if (!got.includes(b.seq)) got.push(b.seq);
    },
  };
  return w;
}

describe('event outbox', () => {
  it('a store that is down gets every event, once and in order, when it returns; the other is not held up', async () => {
    const dir = tmp();
    const pg = store('postgres');
    const rd = store('redis');
    const p = new EventPublisher(new Journal(dir, 'i1'), [pg, rd], log);
    pg.set(false);
    for (let i = 0; i < 30; i++) p.publish([ev(), ev()]);
    await new Promise((r) => setTimeout(r, 150));
    expect(rd.got).toHaveLength(60);
    expect(pg.got).toHaveLength(0);
    pg.set(true);
    expect(await p.drain(10_000)).toBe(true);
    expect(pg.got).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    p.close();
  });

  it('never writes inside publish(); a store with a linger gets what was published meanwhile as one batch', async () => {
    const dir = tmp();
    const batches: number[][] = [];
    const slow: EventWriter = { name: 'postgres', lingerMs: 40, write: async (b) => void batches.push(b.map((x) => x.seq)) };
    const quick = store('redis');
    const p = new EventPublisher(new Journal(dir, 'i1'), [slow, quick], log);
    p.publish([ev()]);
    // The caller's next step (ringing an agent) goes first: nothing is sent before it yields.
    expect(quick.got).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(quick.got).toEqual([1]);
    for (let i = 0; i < 9; i++) p.publish([ev()]);
    expect(batches).toEqual([]);
    expect(await p.drain(2_000)).toBe(true);
    expect(batches).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
    p.close();
  });

  it('survives a restart: events not yet stored are sent by the next process, and numbering carries on', async () => {
    const dir = tmp();
    const pg = store('postgres');
    pg.set(false);
    const first = new EventPublisher(new Journal(dir, 'i1'), [pg], log);
    for (let i = 0; i < 10; i++) first.publish([ev()]);
    expect(await first.drain(200)).toBe(false);
    first.close();

    const pg2 = store('postgres');
    const second = new EventPublisher(new Journal(dir, 'i1'), [pg2], log);
    expect(await second.drain(5000)).toBe(true);
    expect(pg2.got).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    second.publish([ev()]);
    expect(await second.drain(5000)).toBe(true);
    expect(pg2.got.at(-1)).toBe(11);
    // Everything delivered everywhere: the journal file is emptied (a second after catching up).
    await expect.poll(() => statSync(path.join(dir, 'i1.jsonl')).size, { timeout: 3000 }).toBe(0);
    second.close();

    const third = new EventPublisher(new Journal(dir, 'i1'), [pg2], log);
    third.publish([ev()]);
    expect(await third.drain(5000)).toBe(true);
    expect(pg2.got.at(-1)).toBe(12);
    third.close();
  });

  it('a crash at any moment (cursors are saved lazily, the journal emptied meanwhile) loses nothing on the next start', async () => {
    const dir = tmp();
    const pg = store('postgres');
    const p = new EventPublisher(new Journal(dir, 'i1'), [pg], log);
    for (let i = 0; i < 10; i++) p.publish([ev()]);
    expect(await p.drain(5000)).toBe(true);
    await expect.poll(() => statSync(path.join(dir, 'i1.jsonl')).size, { timeout: 3000 }).toBe(0);
    const crashes: Array<{ dir: string; had: number[] }> = [];
    const crash = () => {
      crashes.push({ dir: tmp(), had: [...pg.got] });
      cpSync(dir, crashes.at(-1)!.dir, { recursive: true });
    };
    // Files as a kill -9 would leave them, at several moments: right after publishing, after the
    // store took them but before the cursor was saved, and after.
    for (let i = 0; i < 5; i++) p.publish([ev(), ev()]);
    crash();
    expect(await p.drain(5000)).toBe(true);
    crash();
    await new Promise((r) => setTimeout(r, 300));
    crash();
    await new Promise((r) => setTimeout(r, 1000));
    crash();
    p.close();
    expect(crashes.map((c) => statSync(path.join(c.dir, 'i1.jsonl')).size === 0)).toEqual([false, false, false, true]);
    for (const { dir: copy, had } of crashes) {
      // Postgres keeps what it had before the crash.
      const after = store('postgres');
      after.got.push(...had);
      const next = new EventPublisher(new Journal(copy, 'i1'), [after], log);
      expect(await next.drain(5000)).toBe(true);
      expect(after.got).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      next.close();
    }
  });
});
