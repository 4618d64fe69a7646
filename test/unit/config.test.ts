import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.js';

const good = {
  ARI_USER: 'u', ARI_PASSWORD: 'secret-123', DATABASE_URL: 'postgres://a:b@127.0.0.1/db',
  REDIS_URL: 'redis://127.0.0.1:6379', ADMIN_TOKEN: 'x'.repeat(20),
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
});
