/**
 * The service's log format (src/shared/logger.ts): JSON unless a person is reading, LOG_FORMAT to
 * force one. Each case runs in a child process, whose stdout is a pipe here as in a container.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function logLine(format: string): string {
  const code = `import { createLogger } from './src/shared/logger.ts';
createLogger({ level: 'info', base: { service: 'x' }, format: ${JSON.stringify(format)} }).info({ callId: 'c1' }, 'hello');`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('createLogger', () => {
  it('writes one JSON object a line when stdout is not a terminal, and when asked for json', () => {
    for (const format of ['auto', 'json']) {
      expect(JSON.parse(logLine(format))).toMatchObject({ level: 30, service: 'x', callId: 'c1', msg: 'hello' });
    }
  });

  it('writes pino-pretty lines when asked for pretty, terminal or not', () => {
    const out = logLine('pretty');
    expect(() => JSON.parse(out)).toThrow();
    expect(out).toMatch(/INFO.*hello/);
    expect(out).toContain('callId: "c1"');
  });
});
