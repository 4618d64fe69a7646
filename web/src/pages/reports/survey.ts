/**
 * The 满意度 (satisfaction survey) report: its types as GET /api/reports/survey and
 * /api/agents/:id/survey send them, the chart's option and the agent desktop's figures. Pure.
 */
import type { T } from '../../lib/i18n';
import type { ChartOption } from './echarts';

export type SurveyBy = 'agent' | 'queue' | 'day';

export interface SurveyFigures {
  offered: number;
  answered: number;
  unanswered: number;
  /** 满意 (key 1), 基本满意 (2), 不满意 (3). */
  satisfied: number;
  fair: number;
  dissatisfied: number;
  responseRate: number | null;
  /** 满意 / answered. */
  satisfiedRate: number | null;
  /** (满意 + 基本满意) / answered: 满意率. */
  satisfactionRate: number | null;
}

export interface SurveyRow extends SurveyFigures {
  key: string;
  name: string | null;
}

export interface SurveyReport {
  from: string;
  to: string;
  by: SurveyBy;
  rows: SurveyRow[];
  total: SurveyFigures;
}

/** How a row is named: an agent by name and id, a queue or a day as it is. */
export function surveyRowLabel(r: SurveyRow, by: SurveyBy): string {
  return by === 'agent' && r.name ? `${r.name} (${r.key})` : r.key;
}

const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const pct = (r: number | null) => (r == null ? null : Math.round(r * 1000) / 10);

/** Answers per row stacked 满意 / 基本满意 / 不满意 (left axis), and the 满意率 as a line in percent (right axis). */
export function surveyChart(report: SurveyReport, t: T): ChartOption {
  const labels = report.rows.map((r) => surveyRowLabel(r, report.by));
  return {
    // A handful of bars: nothing to animate, and a switch of rows shows the new figures at once.
    animation: false,
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 56, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', name: t('评价数', 'Answers'), minInterval: 1 },
      { type: 'value', name: t('满意率 %', 'Satisfaction %'), min: 0, max: 100, splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar',
        stack: 'score',
        barMaxWidth: 64,
        name: t('满意', 'Satisfied'),
        color: '#52c41a',
        data: report.rows.map((r) => r.satisfied),
      },
      { type: 'bar', stack: 'score', name: t('基本满意', 'Fairly satisfied'), color: '#faad14', data: report.rows.map((r) => r.fair) },
      { type: 'bar', stack: 'score', name: t('不满意', 'Dissatisfied'), color: '#ff4d4f', data: report.rows.map((r) => r.dissatisfied) },
      {
        type: 'line',
        name: t('满意率', 'Satisfaction rate'),
        yAxisIndex: 1,
        color: '#1677ff',
        data: report.rows.map((r) => pct(r.satisfactionRate)),
      },
    ],
  };
}

export interface MyScoreFigures {
  answered: number;
  satisfied: number;
  satisfiedRate: number | null;
  satisfactionRate: number | null;
}

/** The agent's today and this month from its per-day report over the month so far (today the last day). */
export function myScores(report: Pick<SurveyReport, 'rows' | 'total'>, today: string): { today: MyScoreFigures; month: MyScoreFigures } {
  const pick = (f: SurveyFigures | undefined): MyScoreFigures => ({
    answered: f?.answered ?? 0,
    satisfied: f?.satisfied ?? 0,
    satisfiedRate: f?.satisfiedRate ?? null,
    satisfactionRate: f?.satisfactionRate ?? null,
  });
  return { today: pick(report.rows.find((r) => r.key === today)), month: pick(report.total) };
}
