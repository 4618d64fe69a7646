import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseYamlOffThread, YamlSyntaxError } from '../../src/shared/yaml-off-thread.js';

describe('parseYamlOffThread', () => {
  it('parses as YAML.parse does', async () => {
    const text = 'name: x\nlist: [1, two, { three: 3 }]\ninf: .inf\nnested:\n  a: ~\n';
    expect(await parseYamlOffThread(text)).toEqual(YAML.parse(text));
  });

  it('names the line and column of a syntax error', async () => {
    const err = await parseYamlOffThread('name: x\nqueues: [a\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YamlSyntaxError);
    expect((err as Error).message).toMatch(/^YAML is not well-formed at line \d+, column \d+: /);
  });

  it('leaves this thread free while a large document is parsed', async () => {
    // About 400 KB: over a second of parsing, were it done here.
    const nodes = Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`n${i}`, { kind: 'play', prompt: 'p', next: `n${i + 1}` }]));
    const text = YAML.stringify({ name: 'big', nodes });
    await parseYamlOffThread('warm: up\n');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const parsed = (await parseYamlOffThread(text)) as { nodes: Record<string, unknown> };
    const took = performance.now() - started;
    delay.disable();
    expect(Object.keys(parsed.nodes)).toHaveLength(8000);
    expect(took).toBeGreaterThan(100);
    // Parsed here, the loop would stall for the whole parse (delay ≈ took). Judged against the
    // parse's own duration, so a machine loaded by other work (both grow) does not fail it; 100 ms
    // on a quiet one.
    expect(delay.max / 1e6).toBeLessThan(Math.max(100, took / 10));
  });
});
