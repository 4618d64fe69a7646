import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAs, startTestService, type TestRig } from '../support/service.js';
import { ensureSampleBase, loadQuestions, scoreQuestion, search, type Call } from '../support/kb-quality.js';

/*
 * The search test set (test/fixtures/kb-questions.json) against the sample base
 * (kb/sample-base.json), through the real service: the base is imported through POST /api/kb/import
 * under a root named by the file's content (once; later runs find it), and every question goes
 * through GET /api/kb/search restricted to that root, so other tests' articles do not move the
 * ranking. Each question's expected articles must be in its top 3. bench/kb-quality.ts prints the
 * same run as recall and precision.
 */
let rig: TestRig;
let call: Call;
let rootId: number;
beforeAll(async () => {
  rig = await startTestService();
  call = (method, url, body) => callAs(rig, rig.svc.config.ADMIN_TOKEN, method, url, body);
  rootId = (await ensureSampleBase(call)).rootId;
});
afterAll(async () => {
  await rig?.stop();
});

describe('knowledge-base search: the test set finds its articles in the top 3', () => {
  it('importing the same sample base again finds the earlier copy and imports nothing', async () => {
    const again = await ensureSampleBase(call);
    expect(again).toEqual({ rootId, imported: false });
  });

  for (const item of loadQuestions()) {
    it(`${item.kind}: ${item.q}`, async () => {
      const { hits } = await search(call, item.q, rootId, 10);
      const score = scoreQuestion(
        item,
        hits.map((h) => h.question),
      );
      expect(score.passed, `top 3: ${score.top.join(' | ')}; missing: ${score.missing.join(' | ')}`).toBe(true);
      // What is shown is escaped text with <mark> only.
      for (const h of hits.slice(0, 3)) expect(h.questionHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    });
  }
});
