/** The quality report's chart: each agent's average total as a bar, lowest and highest in the tooltip. Pure. */
import type { T } from '../../lib/i18n';
import type { ChartOption } from '../reports/echarts';
import type { QualityReportRow } from './types';

const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

export const agentLabel = (r: Pick<QualityReportRow, 'agentId' | 'agentName'>) =>
  r.agentName ? `${r.agentName} (${r.agentId})` : r.agentId;

export function qualityChart(rows: readonly QualityReportRow[], t: T): ChartOption {
  const sorted = [...rows].sort((a, b) => b.avgTotal - a.avgTotal || (a.agentId < b.agentId ? -1 : 1));
  return {
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: sorted.map(agentLabel), axisLabel: { interval: 0, rotate: sorted.length > 8 ? 30 : 0 } },
    yAxis: { type: 'value', min: 0, max: 100, name: t('分', 'Score') },
    series: [
      {
        type: 'bar',
        name: t('平均分', 'Average'),
        barMaxWidth: 36,
        data: sorted.map((r) => r.avgTotal),
        label: { show: true, position: 'top', formatter: (p) => Number(p.value).toFixed(1) },
      },
      { type: 'bar', name: t('最低分', 'Lowest'), barMaxWidth: 18, data: sorted.map((r) => r.minTotal) },
      { type: 'bar', name: t('最高分', 'Highest'), barMaxWidth: 18, data: sorted.map((r) => r.maxTotal) },
    ],
  };
}
