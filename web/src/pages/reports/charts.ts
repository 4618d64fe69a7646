/**
 * The three charts' ECharts options, from the series of series.ts. Pure: only ECharts' types.
 */
import type { T } from '../../lib/i18n';
import type { ChartOption } from './echarts';
import type { AbandonSeries, IntervalSeries } from './series';

const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** Calls per interval as bars (left axis), agents answering and Erlang C's advice as lines (right axis). */
export function intervalChart(s: IntervalSeries, t: T): ChartOption {
  return {
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: s.labels, axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', name: t('来电', 'Calls'), minInterval: 1 },
      { type: 'value', name: t('坐席', 'Agents'), minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: t('来电量', 'Offered'), data: s.offered },
      { type: 'bar', name: t('接听量', 'Answered'), data: s.answered },
      { type: 'bar', name: t('放弃量', 'Abandoned'), data: s.abandoned },
      { type: 'line', name: t('接听人数', 'Agents answering'), yAxisIndex: 1, step: 'middle', data: s.answering },
      {
        type: 'line',
        name: t('建议人数(Erlang C)', 'Agents needed (Erlang C)'),
        yAxisIndex: 1,
        step: 'middle',
        lineStyle: { type: 'dashed' },
        data: s.needed,
      },
    ],
  };
}

/** Share of calls per caller region (the seed's 异地固话来电统计). */
export function regionChart(data: Array<{ name: string; value: number }>, t: T): ChartOption {
  return {
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { orient: 'vertical', left: 8, top: 'middle' },
    series: [
      {
        type: 'pie',
        name: t('来电地区', 'Caller region'),
        radius: ['35%', '65%'],
        center: ['60%', '50%'],
        label: { formatter: '{b}\n{d}%' },
        data,
      },
    ],
  };
}

/** Abandons by wait band, stacked by where the caller gave up. */
export function abandonChart(s: AbandonSeries, t: T): ChartOption {
  return {
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 24, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: s.bands, name: t('等待', 'Wait') },
    yAxis: { type: 'value', name: t('放弃量', 'Abandons'), minInterval: 1 },
    series: [
      { type: 'bar', stack: 'place', name: t('排队中放弃', 'In the queue'), data: s.queue },
      { type: 'bar', stack: 'place', name: t('振铃中放弃', 'While ringing'), data: s.ringing },
    ],
  };
}

/** 热点: the most asked categories as horizontal bars, the most asked at the top (labels are the categories' last names). */
export function topicsChart(rows: Array<{ name: string; full: string; count: number }>, t: T): ChartOption {
  const shown = [...rows].reverse();
  return {
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 32, top: 12, bottom: 8, containLabel: true },
    // The card's title names the figure; an axis name at the end would crowd the last tick.
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: shown.map((r) => r.name), axisLabel: { width: 220, overflow: 'truncate' } },
    series: [
      {
        type: 'bar',
        name: t('小结数', 'Summaries'),
        barMaxWidth: 28,
        data: shown.map((r) => ({ value: r.count, name: r.full })),
        label: { show: true, position: 'right' },
      },
    ],
  };
}
