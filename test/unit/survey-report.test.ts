import { describe, expect, it } from 'vitest';
import { surveyFigures } from '../../src/core/survey/figures.js';
import { SurveyParamError, SurveyService } from '../../src/features/survey/survey-service.js';
import type { SurveyBy } from '../../src/features/survey/survey-repo.js';

describe('satisfaction survey figures', () => {
  it('rates over answered surveys; the response rate over offered; null over nothing', () => {
    expect(surveyFigures({ offered: 10, answered: 8, satisfied: 5, fair: 2, dissatisfied: 1 })).toEqual({
      offered: 10,
      answered: 8,
      satisfied: 5,
      fair: 2,
      dissatisfied: 1,
      unanswered: 2,
      responseRate: 0.8,
      satisfiedRate: 5 / 8,
      satisfactionRate: 7 / 8,
    });
    const none = surveyFigures({ offered: 3, answered: 0, satisfied: 0, fair: 0, dissatisfied: 0 });
    expect([none.satisfiedRate, none.satisfactionRate, none.responseRate]).toEqual([null, null, 0]);
  });
});

describe('survey report ranges', () => {
  const calls: Array<{ fromMs: number; toMs: number; by: SurveyBy; only?: { agentId?: string; queue?: string } }> = [];
  const svc = new SurveyService({
    tz: 'Asia/Shanghai',
    repo: {
      counts: async (fromMs, toMs, by, only) => {
        calls.push({ fromMs, toMs, by, only });
        return [
          { key: '1001', name: '张三', offered: 2, answered: 2, satisfied: 1, fair: 1, dissatisfied: 0 },
          { key: '1002', name: null, offered: 1, answered: 0, satisfied: 0, fair: 0, dissatisfied: 0 },
        ];
      },
    },
  });

  it('asks for whole local days (Asia/Shanghai midnight to midnight) and adds up the total', async () => {
    const r = await svc.report({ from: '2026-12-01', to: '2026-12-02', by: 'day', queue: 'other' });
    expect(calls.at(-1)).toEqual({
      fromMs: Date.parse('2026-11-30T16:00:00Z'),
      toMs: Date.parse('2026-12-02T16:00:00Z'),
      by: 'day',
      only: { queue: 'other' },
    });
    expect(r.total).toMatchObject({ offered: 3, answered: 2, satisfied: 1, fair: 1, satisfactionRate: 1, satisfiedRate: 0.5 });
    const a = await svc.agent('1001', { from: '2026-12-07' });
    expect(calls.at(-1)).toMatchObject({ by: 'day', only: { agentId: '1001' }, toMs: Date.parse('2026-12-07T16:00:00Z') });
    expect(a.agentId).toBe('1001');
  });

  it('names the parameter that is wrong', async () => {
    await expect(svc.report({ from: '2026-02-30' })).rejects.toMatchObject({ field: 'from' });
    await expect(svc.report({ from: '2026-12-02', to: '2026-12-01' })).rejects.toBeInstanceOf(SurveyParamError);
    await expect(svc.report({ from: '2020-01-01', to: '2026-01-01' })).rejects.toMatchObject({ field: 'to' });
  });
});
