import { describe, expect, it } from 'vitest';
import { ApiError, api, query, splitFieldError } from '../src/lib/api';

describe('the API client', () => {
  it('splits the API’s "body/<field>: message" so a form can show the message at that field', () => {
    expect(splitFieldError('body/steps/0/afterS: must be >= 0')).toEqual({ field: 'steps/0/afterS', message: 'must be >= 0' });
    expect(splitFieldError("body/nodes/vat must have required property 'queue'")).toEqual({
      field: 'nodes/vat',
      message: "must have required property 'queue'",
    });
    expect(splitFieldError('querystring/from: must match format "date"')).toEqual({ field: 'from', message: 'must match format "date"' });
    expect(splitFieldError('user name or password is wrong')).toEqual({ field: undefined, message: 'user name or password is wrong' });
  });

  it('builds a query string from the defined values only', () => {
    expect(query({ from: '2026-12-01', queue: undefined, n: 0, empty: '', ok: true })).toBe('?from=2026-12-01&n=0&ok=true');
    expect(query({})).toBe('');
  });

  it('keeps every problem of a refused configuration (422), and names the first one’s field', async () => {
    const real = globalThis.fetch;
    const errors = [
      { path: '/queues/1/steps/0/afterS', message: 'expected number to be greater or equal to 0' },
      { path: '/queues/2/onExpiry/toQueue', message: 'unknown queue "x"' },
    ];
    globalThis.fetch = async () =>
      new Response(JSON.stringify({ error: 'routing configuration rejected: 2 problem(s)', errors }), {
        status: 422,
        headers: { 'content-type': 'application/json' },
      });
    try {
      const e = await api('POST', '/api/routing/versions', {}).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect(e).toMatchObject({ status: 422, field: 'queues/1/steps/0/afterS', problems: errors });
    } finally {
      globalThis.fetch = real;
    }
  });
});
