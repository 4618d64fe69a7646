import { describe, expect, it } from 'vitest';
import { myScores, surveyChart, surveyRowLabel, type SurveyFigures, type SurveyReport } from '../src/pages/reports/survey';
import { reportParams, reportUrl } from '../src/pages/reports/filters';

const zh = (z: string) => z;
const fig = (answered: number, satisfied: number, fair = 0, dissatisfied = 0, offered = answered): SurveyFigures => ({
  offered,
  answered,
  unanswered: offered - answered,
  satisfied,
  fair,
  dissatisfied,
  responseRate: offered ? answered / offered : null,
  satisfiedRate: answered ? satisfied / answered : null,
  satisfactionRate: answered ? (satisfied + fair) / answered : null,
});

describe('satisfaction survey page helpers', () => {
  const report: SurveyReport = {
    from: '2026-12-01',
    to: '2026-12-07',
    by: 'agent',
    rows: [
      { key: '1001', name: '王芳', ...fig(4, 3, 1) },
      { key: '1002', name: null, ...fig(2, 0, 0, 2, 3) },
    ],
    total: fig(6, 3, 1, 2, 7),
  };

  it('names agents by name and id, and draws the scores stacked with the rate in percent', () => {
    expect(report.rows.map((r) => surveyRowLabel(r, 'agent'))).toEqual(['王芳 (1001)', '1002']);
    const option = surveyChart(report, zh);
    const series = option.series as Array<{ name: string; data: Array<number | null>; stack?: string }>;
    expect(series.map((s) => s.name)).toEqual(['满意', '基本满意', '不满意', '满意率']);
    expect(series[0]!.data).toEqual([3, 0]);
    expect(series[2]!.data).toEqual([0, 2]);
    expect(series[3]!.data).toEqual([100, 0]);
  });

  it("gives the agent today's figures from today's row and the month's from the total", () => {
    const mine = { rows: [{ key: '2026-12-07', name: null, ...fig(2, 1, 1) }], total: fig(5, 4, 0, 1) };
    expect(myScores(mine, '2026-12-07')).toEqual({
      today: { answered: 2, satisfied: 1, satisfiedRate: 0.5, satisfactionRate: 1 },
      month: { answered: 5, satisfied: 4, satisfiedRate: 0.8, satisfactionRate: 0.8 },
    });
    expect(myScores({ rows: [], total: fig(0, 0) }, '2026-12-07').today).toEqual({
      answered: 0,
      satisfied: 0,
      satisfiedRate: null,
      satisfactionRate: null,
    });
  });

  it('asks the survey report for the days, queue and rows chosen', () => {
    expect(reportParams('survey', { from: '2026-12-01', to: '2026-12-07', queue: 'other', by: 'day' })).toEqual({
      from: '2026-12-01',
      to: '2026-12-07',
      queue: 'other',
      by: 'day',
    });
    expect(reportUrl('survey', { from: '2026-12-01', to: '2026-12-01' })).toBe('/api/reports/survey?from=2026-12-01&to=2026-12-01');
  });
});
