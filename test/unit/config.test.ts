import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';

const good = {
  ARI_USER: 'u',
  ARI_PASSWORD: 'secret-123',
  DATABASE_URL: 'postgres://a:b@127.0.0.1/db',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ADMIN_TOKEN: 'x'.repeat(20),
};

describe('config', () => {
  it('applies defaults and converts numbers', () => {
    const c = loadConfig({ ...good, HTTP_PORT: '3100' });
    expect(c.HTTP_PORT).toBe(3100);
    expect(c.ARI_URL).toBe('http://127.0.0.1:8088');
    expect(c.TZ_NAME).toBe('Asia/Shanghai');
  });

  it('names every bad value, and never echoes a secret', () => {
    try {
      loadConfig({ ...good, HTTP_PORT: 'eighty', REDIS_URL: 'http://nope', ARI_PASSWORD: 'short', DATABASE_URL: undefined });
      expect.unreachable('loadConfig accepted bad values');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const names = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(names).toEqual(expect.arrayContaining(['HTTP_PORT', 'REDIS_URL', 'ARI_PASSWORD', 'DATABASE_URL']));
      expect((err as Error).message).toContain('"eighty"');
      expect((err as Error).message).not.toContain('short');
    }
  });

  it('a URL in a bad value is shown without its password', () => {
    try {
      loadConfig({ ...good, REDIS_URL: 'http://:hunter2secret@127.0.0.1:6379' });
      expect.unreachable('loadConfig accepted a bad REDIS_URL');
    } catch (err) {
      expect((err as Error).message).toMatch(/REDIS_URL/);
      expect((err as Error).message).not.toContain('hunter2secret');
    }
  });

  it('TRUST_PROXY is addresses or CIDRs; the bootstrap token is not kept by default', () => {
    expect(loadConfig(good).TRUST_PROXY).toBe('');
    expect(loadConfig({ ...good, TRUST_PROXY: '127.0.0.1,10.0.5.0/24,::1' }).TRUST_PROXY).toBe('127.0.0.1,10.0.5.0/24,::1');
    expect(() => loadConfig({ ...good, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig(good).ADMIN_TOKEN_ALWAYS).toBe(false);
    expect(loadConfig({ ...good, ADMIN_TOKEN_ALWAYS: 'true' }).ADMIN_TOKEN_ALWAYS).toBe(true);
  });
});
