import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PreferredSeed } from '../../src/features/routing/preferred-seed.js';

type Row = { caller: string; agentId: string; at: number };

/** History as pages of callers in order; `seeded` is what reached Redis. */
function setup(history: Row[], o: { windowMs?: number; pageSize?: number; failPages?: number } = {}) {
  const seeded: Array<{ caller: string; agentId: string; untilMs: number }> = [];
  const pages: string[] = [];
  const logged: string[] = [];
  let failures = o.failPages ?? 0;
  let onPage: (() => void) | undefined;
  const seed = new PreferredSeed({
    windowMs: o.windowMs ?? 1000,
    repo: {
      lastAgents: async (_sinceMs, after = '') => {
        pages.push(after);
        onPage?.();
        if (failures > 0 && failures--) throw new Error('postgres away');
        return history.filter((r) => r.caller > after).slice(0, o.pageSize ?? 2);
      },
    },
    callers: { seed: async (rows) => void seeded.push(...rows) },
    now: () => 0,
    log: pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) }),
  });
  return { seed, seeded, pages, logged, onEachPage: (f: () => void) => (onPage = f) };
}

const history: Row[] = ['a', 'b', 'c', 'd', 'e'].map((caller, i) => ({ caller, agentId: `10${i}`, at: 100 * i }));

describe('PreferredSeed', () => {
  it('loads every caller from history page by page, each until its window ends', async () => {
    const { seed, seeded, pages } = setup(history);
    seed.load();
    await seed.settled();
    expect(pages).toEqual(['', 'b', 'd', 'e']);
    expect(seeded).toEqual(history.map((r) => ({ caller: r.caller, agentId: r.agentId, untilMs: r.at + 1000 })));
  });

  it('does nothing when the preferred-agent rule is off', async () => {
    const { seed, pages } = setup(history, { windowMs: 0 });
    seed.load();
    await seed.settled();
    expect(pages).toEqual([]);
  });

  it('a failed load is logged, not thrown; a load asked for later runs after it and completes', async () => {
    const { seed, seeded, logged } = setup(history, { failPages: 1 });
    seed.load();
    seed.load();
    await seed.settled();
    expect(logged).toEqual(['preferred agents not loaded from history']);
    expect(seeded.map((r) => r.caller)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('loads one at a time: a second asked for during the first starts after it', async () => {
    const { seed, pages } = setup(history);
    seed.load();
    seed.load();
    await seed.settled();
    expect(pages).toEqual(['', 'b', 'd', 'e', '', 'b', 'd', 'e']);
  });

  it('halted, stops between pages', async () => {
    const { seed, pages, onEachPage } = setup(history);
    onEachPage(() => pages.length === 2 && seed.halt());
    seed.load();
    await seed.settled();
    expect(pages).toEqual(['', 'b']);
  });
});
