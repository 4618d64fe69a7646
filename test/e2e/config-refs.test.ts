import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateIvr, activateRouting, alwaysOpen12366, api, shippedRouting, shippedRoutingWith } from '../support/ivr.js';
import { randomPassword, startTestService, freshAgentId, type TestRig } from '../support/service.js';

/**
 * Every change is checked against what it refers to in the other configuration's ACTIVE
 * version; a refusal is a 422 naming the field, and nothing active or stored changes.
 */
let rig: TestRig;
beforeAll(async () => {
  rig = await startTestService();
  await activateIvr(rig, alwaysOpen12366());
});
afterAll(async () => {
  await rig?.stop();
});

const active = async () => ({
  ivr: (await api(rig, 'GET', '/api/ivr/active')).body.version as number,
  routing: (await api(rig, 'GET', '/api/routing/active')).body.version as number,
  ivrVersions: (await api(rig, 'GET', '/api/ivr/versions')).body.length as number,
});
const withoutQueue = (name: string) => {
  const c = shippedRouting();
  c.queues = c.queues.filter((q: { queue: string }) => q.queue !== name);
  return c;
};

describe('IVR definitions against the active routing', () => {
  it("an upload sending calls to a queue or asking for a skill the routing lacks is a 422 at the node's field", async () => {
    const before = await active();
    const noQueue = alwaysOpen12366();
    noQueue.nodes['ntax.vat'].queue = 'customs';
    const r1 = await api(rig, 'POST', '/api/ivr/versions', noQueue);
    expect(r1.status).toBe(422);
    expect(r1.body.errors).toEqual([
      {
        path: '/nodes/ntax.vat/queue',
        nodeId: 'ntax.vat',
        field: 'queue',
        message: `node "ntax.vat" sends calls to queue "customs", which routing version ${before.routing} does not have`,
      },
    ]);

    const noSkill = alwaysOpen12366();
    noSkill.nodes['ntax.cit'].skills = { cit: 1, customs: 2 };
    const r2 = await api(rig, 'POST', '/api/ivr/versions', noSkill);
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([
      expect.objectContaining({ path: '/nodes/ntax.cit/skills/customs', nodeId: 'ntax.cit', field: 'skills/customs' }),
    ]);

    expect(await active()).toEqual(before);
  });

  it('overlapping holidays are a 422 at the later holiday', async () => {
    const before = await active();
    const def = alwaysOpen12366();
    def.nodes['office-hours'].holidays = [
      { from: '2026-10-01', to: '2026-10-07', name: '国庆节' },
      { from: '2026-10-05', to: '2026-10-08', name: '调整' },
    ];
    const r = await api(rig, 'POST', '/api/ivr/versions', def);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        path: '/nodes/office-hours/holidays/1',
        nodeId: 'office-hours',
        field: 'holidays/1',
        message: expect.stringMatching(/overlaps/),
      }),
    ]);
    expect(await active()).toEqual(before);
  });

  it('a stored version that no longer fits the routing cannot be activated (422, not 404)', async () => {
    const vat = shippedRouting().queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
    await activateRouting(rig, shippedRoutingWith([{ ...vat, queue: 'vat-pilot' }]));
    const pilot = alwaysOpen12366();
    pilot.nodes['ntax.vat'].queue = 'vat-pilot';
    const up = await api(rig, 'POST', '/api/ivr/versions', pilot);
    expect(up.status).toBe(201);
    // The pilot queue goes away while the pilot is still a draft: allowed, nothing uses it yet.
    const routing = await activateRouting(rig, shippedRouting());

    const before = await active();
    const r = await api(rig, 'POST', `/api/ivr/versions/${up.body.version}/activate`);
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        path: '/nodes/ntax.vat/queue',
        message: `node "ntax.vat" sends calls to queue "vat-pilot", which routing version ${routing} does not have`,
      }),
    ]);
    expect((await api(rig, 'POST', '/api/ivr/versions/999999/activate')).status).toBe(404);
    expect(await active()).toEqual(before);
  });
});

describe('routing versions against the active IVR', () => {
  it('activating one without a queue or skill the active IVR uses is a 422 naming the IVR version and node', async () => {
    const before = await active();
    const upQueue = await api(rig, 'POST', '/api/routing/versions', withoutQueue('ltax-other'));
    expect(upQueue.status).toBe(201);
    const r1 = await api(rig, 'POST', `/api/routing/versions/${upQueue.body.version}/activate`);
    expect(r1.status).toBe(422);
    expect(r1.body.errors).toEqual([
      { path: '/queues', message: `queue "ltax-other" is missing: IVR version ${before.ivr} node "ltax.other" sends calls to it` },
    ]);

    const noSkill = shippedRouting();
    noSkill.skills = noSkill.skills.filter((s: { code: string }) => s.code !== 'ltax');
    const upSkill = await api(rig, 'POST', '/api/routing/versions', noSkill);
    expect(upSkill.status).toBe(201);
    const r2 = await api(rig, 'POST', `/api/routing/versions/${upSkill.body.version}/activate`);
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([
      { path: '/skills', message: `skill "ltax" is not declared: IVR version ${before.ivr} node "ltax.other" requires it` },
    ]);

    expect(await active()).toEqual(before);
  });
});

describe('agents against the active routing', () => {
  const good = () => ({ name: '周杰', password: randomPassword(), skills: { vat: 3 }, queues: ['ntax-vat'] });

  it('an unknown skill or queue is a 422 at body/skills/<code> or body/queues/<i>; nothing is created', async () => {
    const id = await freshAgentId(rig);
    const r1 = await api(rig, 'PUT', `/api/agents/${id}`, { ...good(), skills: { vat: 3, customs: 2 } });
    expect(r1.status).toBe(422);
    expect(r1.body.error).toMatch(/^body\/skills\/customs: skill "customs" is not declared in routing version \d+$/);
    expect(r1.body.errors).toEqual([{ path: 'body/skills/customs', message: expect.stringContaining('customs') }]);

    const r2 = await api(rig, 'PUT', `/api/agents/${id}`, { ...good(), queues: ['ntax-vat', 'customs'] });
    expect(r2.status).toBe(422);
    expect(r2.body.errors).toEqual([{ path: 'body/queues/1', message: expect.stringContaining('"customs"') }]);

    expect((await api(rig, 'GET', `/api/agents/${id}`)).status).toBe(404);
  });

  it('an update naming an unknown queue leaves the stored agent as it was', async () => {
    const id = await freshAgentId(rig);
    expect((await api(rig, 'PUT', `/api/agents/${id}`, good())).status).toBe(201);
    try {
      const before = (await api(rig, 'GET', `/api/agents/${id}`)).body;
      const r = await api(rig, 'PUT', `/api/agents/${id}`, { name: '周杰', skills: { vat: 5, customs: 1 }, queues: ['customs'] });
      expect(r.status).toBe(422);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['body/skills/customs', 'body/queues/0']);
      expect((await api(rig, 'GET', `/api/agents/${id}`)).body).toEqual(before);
      expect((await rig.svc.liveAgents.agent(id))?.profile).toEqual({ name: '周杰', skills: { vat: 3 }, queues: ['ntax-vat'] });
    } finally {
      await api(rig, 'DELETE', `/api/agents/${id}`);
    }
  });
});

describe('an IVR and a routing version activated at the same moment', () => {
  it('one of them is refused: the active IVR never sends calls to a queue the active routing lacks', async () => {
    const activate = (kind: 'ivr' | 'routing', version: number) => api(rig, 'POST', `/api/${kind}/versions/${version}/activate`);
    const vat = shippedRouting().queues.find((q: { queue: string }) => q.queue === 'ntax-vat');
    const base = {
      ivr: (await active()).ivr,
      routing: (await api(rig, 'POST', '/api/routing/versions', shippedRouting())).body.version as number,
    };
    const withPilot = await activateRouting(rig, shippedRoutingWith([{ ...vat, queue: 'vat-race' }]));
    const pilot = alwaysOpen12366();
    pilot.nodes['ntax.vat'].queue = 'vat-race';
    const pilotIvr = (await api(rig, 'POST', '/api/ivr/versions', pilot)).body.version as number;
    try {
      // Each pair alone is allowed; together they would strand the pilot's callers.
      for (let round = 0; round < 8; round++) {
        expect((await activate('routing', withPilot)).status).toBe(200);
        expect((await activate('ivr', base.ivr)).status).toBe(200);
        const [ivrR, routingR] = await Promise.all([activate('ivr', pilotIvr), activate('routing', base.routing)]);
        expect([ivrR.status, routingR.status].sort(), `round ${round}`).toEqual([200, 422]);
        const now = await active();
        const consistent = ivrR.status === 200 ? { ivr: pilotIvr, routing: withPilot } : { ivr: base.ivr, routing: base.routing };
        expect({ ivr: now.ivr, routing: now.routing }, `round ${round}`).toEqual(consistent);
      }
    } finally {
      await activate('ivr', base.ivr);
      await activate('routing', base.routing);
    }
  }, 60_000);
});
