import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import YAML from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { validateDefinition } from '../../src/core/ivr/validate.js';
import { IvrValidationThread } from '../../src/features/ivr/validate-thread.js';
import { ThreadCalls } from '../../src/shared/thread-calls.js';
import { REPO } from '../support/rig.js';

const log = pino({ level: 'silent' });
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
function fixture(): ThreadCalls {
  // The compiled name, as the service's features give it: from source, the .ts beside it runs.
  const t = new ThreadCalls({ name: 'fixture', entry: new URL('../support/thread-fixture.js', import.meta.url), log });
  open.push(t);
  return t;
}

describe('ThreadCalls', () => {
  it('answers each request with its own result, however they interleave', async () => {
    const t = fixture();
    const answers = await Promise.all([t.call('later', { a: 1 }), t.call('echo', [2, '二']), t.call('later', 'three')]);
    expect(answers).toEqual([{ a: 1 }, [2, '二'], 'three']);
  });

  it('rejects with what the thread threw, and for a method it lacks', async () => {
    const t = fixture();
    await expect(t.call('fail', 'out of range')).rejects.toMatchObject({ name: 'RangeError', message: 'out of range' });
    await expect(t.call('nothing', 1)).rejects.toThrow('no method nothing on this thread');
    expect(await t.call('echo', 'still there')).toBe('still there');
  });

  it('fails what was in flight when the thread dies, and starts a new one for the next request', async () => {
    const t = fixture();
    const pending = t.call('later', 'never');
    await expect(Promise.all([t.call('die', 3), pending])).rejects.toThrow('fixture thread exited (3)');
    expect(await t.call('echo', 'again')).toBe('again');
  });

  it('refuses requests once closed', async () => {
    const t = fixture();
    expect(await t.call('echo', 1)).toBe(1);
    await t.close();
    await expect(t.call('echo', 2)).rejects.toThrow('fixture thread is closed');
  });
});

describe('IvrValidationThread', () => {
  const shipped = () => YAML.parse(readFileSync(path.join(REPO, 'ivr', '12366.yaml'), 'utf8'));

  it('gives what validateDefinition gives on this thread, accepted or refused', async () => {
    const t = new IvrValidationThread(log);
    open.push(t);
    const broken = shipped();
    broken.start = 'nowhere';
    delete broken.nodes.main.prompt;
    broken.nodes.other.queue = 42;
    for (const input of [shipped(), broken, { name: 'x' }, 'not an object'])
      expect(await t.validate(structuredClone(input))).toEqual(validateDefinition(structuredClone(input)));
    expect((await t.validate(broken)).ok).toBe(false);
    expect((await t.validate(shipped())).ok).toBe(true);
  });
});
