import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { IVR_LIMITS } from '../../src/core/ivr/definition.js';
import { ROUTING_LIMITS } from '../../src/core/routing/rules.js';
import { CONFIG_BODY_LIMIT } from '../../src/features/versioned-config/routes.js';
import { callIdOf, eventsOf, typesOf, waitForEvent } from '../support/calls.js';
import { activateIvr, alwaysOpen12366, api, shippedRouting } from '../support/ivr.js';
import { ROOTFS } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { startTestService, uniqueCaller, type TestRig } from '../support/service.js';

/**
 * Hostile configuration uploads (issue 19): too big, too slow to check, or texts made to look
 * like command-line options. Each is refused by a bound before any expensive work, or handled in
 * linear time, while calls in progress keep their timing (the event loop of this process, where
 * the service runs, is measured); a refusal changes nothing stored and leaves no prompt file.
 */
let rig: TestRig;
beforeAll(async () => {
  rig = await startTestService();
});
afterAll(async () => {
  await rig?.stop();
});

/**
 * A chain of `count` nodes, the last one hanging up; `loop` makes the last lead back to the first
 * instead. Ids in base 36, so 20,000 nodes fit in a 1 MiB body as JSON and as YAML.
 */
function chain(count: number, loop = false): Record<string, any> {
  const id = (i: number) => `n${i.toString(36)}`;
  const nodes: Record<string, unknown> = {};
  for (let i = 0; i < count - 1; i++) nodes[id(i)] = { kind: 'play', prompt: 'p', next: id(i + 1) };
  nodes[id(count - 1)] = loop ? { kind: 'play', prompt: 'p', next: id(0) } : { kind: 'hangup' };
  return { name: 'chain', start: id(0), prompts: { p: { zh: '您好' } }, nodes };
}

/** One line per node, as an operator might write a long flat list (YAML.stringify's is over 1 MiB for 20,000 nodes). */
function compactYaml(def: Record<string, any>): string {
  const head = YAML.stringify({ name: def.name, start: def.start, prompts: def.prompts });
  const nodes = Object.entries(def.nodes).map(([id, n]) => `  ${id}: ${YAML.stringify(n, { collectionStyle: 'flow' }).trim()}`);
  return `${head}nodes:\n${nodes.join('\n')}\n`;
}

/** Every prompt file in the service's sounds directory. */
function promptFiles(): string[] {
  const dir = path.join(rig.svc.config.SOUNDS_DIR, 'tax12366');
  return ['zh', 'en']
    .flatMap((lang) => (existsSync(path.join(dir, lang)) ? readdirSync(path.join(dir, lang)).map((f) => `${lang}/${f}`) : []))
    .sort();
}

const stored = async () => ({
  ivr: (await api(rig, 'GET', '/api/ivr/versions')).body,
  ivrActive: (await api(rig, 'GET', '/api/ivr/active')).body,
  routing: (await api(rig, 'GET', '/api/routing/versions')).body,
  files: promptFiles(),
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

describe('hostile configuration uploads', () => {
  it('a 20,000-node IVR (JSON or YAML), a maximal one, and an oversized body are refused quickly while a call in the IVR keeps its timing', async () => {
    // A caller held in a menu that times out every 3 s, six times, then hangs up: the uploads happen meanwhile.
    await activateIvr(rig, {
      name: 'hold',
      start: 'menu',
      prompts: { ask: { zh: '请按键。' }, bye: { zh: '再见。' } },
      nodes: {
        menu: { kind: 'menu', prompt: 'ask', options: { '1': 'bye' }, timeoutS: 3, retries: 5, onRetriesExhausted: 'bye' },
        bye: { kind: 'hangup', prompt: 'bye' },
      },
    });
    try {
      const caller = uniqueCaller();
      const call = sipp({ scenario: 'caller-waits-for-hangup.xml', ip: '127.0.0.2', keys: { caller, dialed: '12366' }, timeoutS: 60 });
      let ended = false;
      void call.done.then(() => (ended = true));
      const callId = await callIdOf(rig, caller);
      await waitForEvent(rig, callId, 'ivr.entered');
      const before = await stored();

      // Bodies made before the measurement: building them is this test's work, not the service's.
      const json = JSON.stringify(chain(20_000));
      const yaml = compactYaml(chain(20_000));
      const maximal = JSON.stringify(chain(IVR_LIMITS.nodes, true));
      const oversized = JSON.stringify({ ...chain(3), description: 'x'.repeat(CONFIG_BODY_LIMIT) });
      expect(json.length).toBeLessThan(CONFIG_BODY_LIMIT);
      expect(yaml.length).toBeLessThan(CONFIG_BODY_LIMIT);

      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const refusedJson = await timed(() => api(rig, 'POST', '/api/ivr/versions', json));
      const refusedYaml = await timed(() => api(rig, 'POST', '/api/ivr/versions', yaml, 'application/yaml'));
      const refusedMaximal = await timed(() => api(rig, 'POST', '/api/ivr/versions', maximal));
      const refusedSize = await timed(() => api(rig, 'POST', '/api/ivr/versions', oversized));
      delay.disable();
      // Measured while the call was in the IVR, not after it.
      expect(ended).toBe(false);
      const maxDelayMs = delay.max / 1e6;
      console.log(
        `20,000-node JSON (${json.length} B) ${refusedJson.ms.toFixed(0)} ms, YAML (${yaml.length} B) ${refusedYaml.ms.toFixed(0)} ms,`,
        `2,000-node loop ${refusedMaximal.ms.toFixed(0)} ms, ${oversized.length} B body ${refusedSize.ms.toFixed(0)} ms;`,
        `event-loop delay max ${maxDelayMs.toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
      );

      const tooMany = { path: '/nodes', field: 'nodes', message: `nodes: at most ${IVR_LIMITS.nodes} nodes (got 20000)` };
      expect(refusedJson.value).toEqual({ status: 422, body: { error: 'IVR definition rejected: 1 problem(s)', errors: [tooMany] } });
      expect(refusedYaml.value).toEqual({ status: 422, body: { error: 'IVR definition rejected: 1 problem(s)', errors: [tooMany] } });
      expect(refusedMaximal.value.status).toBe(422);
      expect(refusedMaximal.value.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^cycle without exit: nodes "n0", "n1", /) }),
      ]);
      expect(refusedSize.value).toMatchObject({
        status: 413,
        body: { error: `the IVR definition must be at most ${CONFIG_BODY_LIMIT} bytes (1 MiB)` },
      });
      expect(refusedJson.ms).toBeLessThan(1000);
      expect(refusedMaximal.ms).toBeLessThan(1000);
      expect(refusedSize.ms).toBeLessThan(1000);
      // The YAML is parsed on a worker thread (seconds for this size): slow to answer, but no stall.
      // The bound is 150 ms: the maximal IVR's validation still runs on this thread (about 100 ms
      // on this 2-core machine under the suite's load, p99 of the loop delay ~20 ms); moving it to
      // the worker as well is the fix, noted on issue 23's closing note.
      expect(maxDelayMs).toBeLessThan(150);

      // The call went on as its menu says: six timeouts, then the hang-up node.
      expect((await call.done).code).toBe(0);
      await waitForEvent(rig, callId, 'call.ended');
      expect(await typesOf(rig, callId, 'ivr.input_failed')).toHaveLength(6);
      expect((await eventsOf(rig, callId, 'ivr.left'))[0]).toMatchObject({ nodeId: 'bye', reason: 'retries_exhausted' });
      expect(await stored()).toEqual(before);
    } finally {
      await activateIvr(rig, alwaysOpen12366());
    }
  }, 120_000);

  it('prompt texts that look like espeak-ng options are spoken as text, and write no file they name', async () => {
    const target = `/tmp/tax12366-hostile-${randomBytes(4).toString('hex')}`;
    const def = chain(2);
    def.prompts.p = { zh: `--phonout=${target}`, en: `-w ${target}.wav` };
    const up = await api(rig, 'POST', '/api/ivr/versions', def);
    expect(up.status).toBe(201);
    const stored = await rig.svc.ivr.definition(up.body.version);
    for (const lang of ['zh', 'en'] as const) {
      const media = rig.svc.ivr.media(stored, 'p', lang);
      expect(existsSync(path.join(rig.svc.config.SOUNDS_DIR, `${media.replace(/^sound:/, '')}.wav`))).toBe(true);
    }
    for (const file of [target, `${target}.wav`]) {
      expect(existsSync(path.join(ROOTFS, file))).toBe(false);
      expect(existsSync(file)).toBe(false);
    }
  }, 60_000);

  it('a refused upload leaves no prompt file behind, nor a version', async () => {
    const before = await stored();
    const def = chain(2);
    // Made first, then a text of blanks that cannot be spoken refuses the upload.
    def.prompts.p = { zh: `新的提示 ${randomBytes(4).toString('hex')}`, en: `A fresh prompt ${randomBytes(4).toString('hex')}` };
    def.prompts.q = { zh: '   ' };
    const r = await api(rig, 'POST', '/api/ivr/versions', def);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ path: '/prompts/q/zh' })]);
    expect(await stored()).toEqual(before);
  }, 60_000);

  it('refuses a prompt text over the limit, too many prompts, and too many routing queues, naming the field and storing nothing', async () => {
    const before = await stored();
    const long = chain(2);
    long.prompts.p.zh = '长'.repeat(IVR_LIMITS.promptText + 1);
    const r1 = await api(rig, 'POST', '/api/ivr/versions', long);
    expect(r1.status).toBe(422);
    expect(r1.body.errors).toEqual([
      expect.objectContaining({ path: '/prompts/p/zh', message: expect.stringContaining(String(IVR_LIMITS.promptText)) }),
    ]);

    const many = chain(2);
    for (let i = 0; i < IVR_LIMITS.prompts; i++) many.prompts[`x${i}`] = { zh: `提示 ${i}` };
    const r2 = await api(rig, 'POST', '/api/ivr/versions', many);
    expect(r2).toEqual({
      status: 422,
      body: {
        error: 'IVR definition rejected: 1 problem(s)',
        errors: [
          { path: '/prompts', field: 'prompts', message: `prompts: at most ${IVR_LIMITS.prompts} prompts (got ${IVR_LIMITS.prompts + 1})` },
        ],
      },
    });

    const routing = shippedRouting();
    routing.queues = Array.from({ length: ROUTING_LIMITS.queues + 1 }, (_, i) => ({ ...routing.queues[0], queue: `q${i}` }));
    const r3 = await api(rig, 'POST', '/api/routing/versions', routing);
    expect(r3.status).toBe(422);
    expect(r3.body.errors).toEqual([
      { path: '/queues', message: `at most ${ROUTING_LIMITS.queues} queues (got ${ROUTING_LIMITS.queues + 1})` },
    ]);

    expect(await stored()).toEqual(before);
  });
});
