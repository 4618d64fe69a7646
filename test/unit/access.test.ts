import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, ROUTE_ACCESS, decide, grants, type Principal, type Role } from '../../src/core/auth/access.js';

const routes = Object.keys(ROUTE_ACCESS).map((k) => {
  const [method, url] = k.split(' ') as [string, string];
  return { method, url, access: ROUTE_ACCESS[k]! };
});
const principal = (role: Role, agentId?: string): Principal => ({ id: `u-${role}`, role, via: 'session', ...(agentId ? { agentId } : {}) });
const agentIdArb = fc.stringMatching(/^[0-9]{3,6}$/);

describe('who may use which route', () => {
  it('nobody signed in gets 401 on every route but the public ones', () => {
    for (const r of routes) {
      const d = decide(undefined, r.method, r.url, { id: '1001' });
      if (r.access.need === 'public') expect(d.allow).toBe(true);
      else expect(d).toMatchObject({ allow: false, status: 401 });
    }
  });

  it('an admin may use every route', () => {
    for (const r of routes) expect(decide(principal('admin'), r.method, r.url, { id: '1001' }).allow).toBe(true);
  });

  it("only admins edit rules, menus, agents' phones and accounts", () => {
    const adminOnly = routes.filter((r) => r.access.need === 'config.write' || r.access.need === 'accounts');
    expect(adminOnly.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'POST /api/ivr/versions',
        'POST /api/ivr/versions/:version/activate',
        'POST /api/routing/rollback',
        'PUT /api/agents/:id',
        'POST /api/accounts',
      ]),
    );
    for (const role of ['supervisor', 'agent', 'readonly'] as const) {
      for (const r of adminOnly)
        expect(decide(principal(role, '1001'), r.method, r.url, { id: '1001' })).toMatchObject({ allow: false, status: 403 });
    }
  });

  it('a supervisor may pause, log out and move agents, and read everything', () => {
    const sup = principal('supervisor');
    for (const k of [
      'POST /api/agents/:id/pause',
      'POST /api/agents/:id/logout',
      'PUT /api/agents/:id/assignment',
      'GET /api/audit',
      'GET /api/reports/intervals',
    ]) {
      const [m, u] = k.split(' ') as [string, string];
      expect(decide(sup, m, u, { id: '1001' }).allow).toBe(true);
    }
  });

  it('a read-only tool never changes anything (every non-GET but simulate and its own sign-out and password is refused)', () => {
    const ro = principal('readonly');
    for (const r of routes.filter((x) => x.method !== 'GET' && x.access.need !== 'public')) {
      const allowed = decide(ro, r.method, r.url, { id: '1001' }).allow;
      expect([r.url, allowed]).toEqual([
        r.url,
        // Besides its own sign-out and password, its own knowledge-base bookmarks (private favourites; public ones are refused by core/kb).
        ['/api/simulate', '/api/auth/logout', '/api/auth/session', '/api/me/password', '/api/kb/articles/:id/favourite'].includes(r.url),
      ]);
    }
  });

  it('property: an agent acts on itself only — any route naming another agent is refused unless open to all agents', () => {
    const selfRoutes = routes.filter((r) => r.access.self);
    fc.assert(
      fc.property(agentIdArb, agentIdArb, fc.constantFrom(...selfRoutes), (me, other, r) => {
        const who = principal('agent', me);
        expect(decide(who, r.method, r.url, { id: me }).allow).toBe(true);
        const onOther = decide(who, r.method, r.url, { id: other });
        expect(onOther.allow).toBe(me === other || grants('agent', r.access.need as never));
      }),
    );
  });

  it('property: no role but admin holds a permission it was not granted, whatever the route', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.constantFrom(...routes), (role, r) => {
        const d = decide(principal(role), r.method, r.url, {});
        expect(d.allow).toBe(r.access.need === 'public' || grants(role, r.access.need));
      }),
    );
  });

  it('a route nobody declared is refused to everyone signed in, and unknown URLs are left to the 404', () => {
    expect(decide(principal('admin'), 'POST', '/api/secret')).toMatchObject({ allow: false, status: 403 });
    expect(decide(principal('readonly'), 'GET', undefined).allow).toBe(true);
    expect(decide(undefined, 'GET', undefined)).toMatchObject({ allow: false, status: 401 });
    expect(decide(principal('agent', '1001'), 'GET', '/docs/json').allow).toBe(true);
  });
});
