import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, shippedRouting } from '../support/ivr.js';
import { freshAgentId, randomPassword, startTestService, type TestRig } from '../support/service.js';

let rig: TestRig;
beforeAll(async () => {
  rig = await startTestService();
});
afterAll(async () => {
  await rig?.stop();
});

describe('routing rules API', () => {
  it('rejects bad rules with a 4xx naming the field, and leaves the active rules and the list unchanged', async () => {
    const active = (await api(rig, 'GET', '/api/routing/active')).body.version;
    const count = (await api(rig, 'GET', '/api/routing/versions')).body.length;

    const cases: Array<[string, (c: Record<string, any>) => void, RegExp]> = [
      ['/queues/1/steps/1/afterS', (c) => (c.queues[1].steps[1].afterS = 0), /afterS/],
      ['/queues/1/steps/0/skills/vat', (c) => (c.queues[1].steps[0].skills = { vat: 9 }), /5/],
      ['/queues/1/steps/0/skills', (c) => (c.queues[1].steps[0].skills = { vatt: 4 }), /vatt/],
      ['/queues/1/onExpiry/toQueue', (c) => (c.queues[1].onExpiry.toQueue = 'nowhere'), /nowhere/],
      ['/queues/0/strategy', (c) => (c.queues[0].strategy = 'random'), /longest_idle/],
      ['/skills/0/code', (c) => (c.skills[0].code = 'Bad Code'), /pattern|match/i],
    ];
    for (const [where, breakIt, says] of cases) {
      const config = shippedRouting();
      breakIt(config);
      const r = await api(rig, 'POST', '/api/routing/versions', config);
      expect(r.status, where).toBe(422);
      const hit = r.body.errors.find((e: { path: string }) => e.path.startsWith(where));
      expect(hit, `${where}: ${JSON.stringify(r.body.errors)}`).toBeDefined();
      expect(hit.message).toMatch(says);
    }
    const yaml = await api(rig, 'POST', '/api/routing/versions', 'queues:\n  - queue: [\n', 'application/yaml');
    expect(yaml.status).toBe(400);
    expect(yaml.body.error).toMatch(/line \d+/);

    expect((await api(rig, 'GET', '/api/routing/active')).body.version).toBe(active);
    expect((await api(rig, 'GET', '/api/routing/versions')).body.length).toBe(count);
  });

  it('activates a version and rolls back to the one before', async () => {
    const before = (await api(rig, 'GET', '/api/routing/active')).body.version;
    const up = await api(rig, 'POST', '/api/routing/versions?comment=pilot', shippedRouting());
    expect(up.status).toBe(201);
    expect((await api(rig, 'POST', `/api/routing/versions/${up.body.version}/activate`)).body.active).toBe(up.body.version);
    expect((await api(rig, 'POST', '/api/routing/rollback')).body.active).toBe(before);
    expect((await api(rig, 'POST', '/api/routing/versions/999999/activate')).status).toBe(404);
  });

  it('activating a version that drops a queue and a skill agents still have says which agents, and activates', async () => {
    const before = (await api(rig, 'GET', '/api/routing/active')).body.version;
    const id = await freshAgentId(rig);
    const pilot = shippedRouting();
    pilot.skills.push({ code: `pilot${id}`, zh: '试点', en: 'Pilot' });
    pilot.queues.push({
      queue: `pilot-${id}`,
      strategy: 'longest_idle',
      steps: [{ afterS: 0, skills: 'any' }],
      wrapUpS: 10,
      ringTimeoutS: 15,
    });
    const up = await api(rig, 'POST', '/api/routing/versions', pilot);
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect((await api(rig, 'POST', `/api/routing/versions/${up.body.version}/activate`)).status).toBe(200);
    try {
      const saved = await api(rig, 'PUT', `/api/agents/${id}`, {
        name: '试点坐席',
        password: randomPassword(),
        skills: { [`pilot${id}`]: 3 },
        queues: [`pilot-${id}`],
      });
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
      const r = await api(rig, 'POST', `/api/routing/versions/${before}/activate`);
      expect(r.status).toBe(200);
      expect(r.body.active).toBe(before);
      expect(r.body.warnings).toEqual(
        expect.arrayContaining([
          { path: '/skills', message: `skill "pilot${id}" is not declared in this version; agent ${id} still holds it` },
          { path: '/queues', message: `queue "pilot-${id}" is not in this version; agent ${id} still serves it` },
        ]),
      );
      expect((await api(rig, 'GET', '/api/routing/active')).body.version).toBe(before);
    } finally {
      await api(rig, 'DELETE', `/api/agents/${id}`);
      await api(rig, 'POST', `/api/routing/versions/${before}/activate`);
    }
  });
});
