import { useMemo, useState } from 'react';
import { Empty, Space, Statistic, Switch, Table, Typography, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDuration, formatPercent } from '../../lib/time';
import { Chart } from './Chart';
import { ColumnTitle } from './ColumnTitle';
import { intervalChart } from './charts';
import { agents1, intervalHasData, intervalSeries, trimIntervals } from './series';
import type { IntervalRow, IntervalsReport } from './types';

const secs = (ms: number | null) => formatDuration(ms == null ? null : ms / 1000);
const num = (n: number | null) => (n == null ? '—' : n);

/** 来电量与人力安排: calls per interval beside staffing by state and Erlang C's advice (the seed's first table). */
export function IntervalsTab({ report }: { report: IntervalsReport }) {
  const t = useT();
  const [activeOnly, setActiveOnly] = useState(true);
  const series = useMemo(() => intervalSeries(report.rows), [report]);
  const option = useMemo(() => intervalChart(series, t), [series, t]);
  const multiDay = report.from !== report.to;
  const rows = activeOnly ? trimIntervals(report.rows) : report.rows;
  const tot = report.totals;

  const columns: TableColumnsType<IntervalRow> = [
    {
      title: t('时间段', 'Interval'),
      key: 'label',
      fixed: 'left',
      width: multiDay ? 150 : 110,
      render: (_, r) => (multiDay ? `${r.date} ${r.label}` : r.label),
    },
    {
      title: t('话务', 'Calls'),
      children: [
        { title: <ColumnTitle zh="IVR访问量" en="IVR visits" help="ivrVisits" />, dataIndex: 'ivrVisits', align: 'right' },
        { title: <ColumnTitle zh="来电量" en="Offered" help="offered" />, dataIndex: 'offered', align: 'right' },
        { title: <ColumnTitle zh="接听量" en="Answered" help="answered" />, dataIndex: 'answered', align: 'right' },
        { title: <ColumnTitle zh="放弃量" en="Abandoned" help="abandoned" />, dataIndex: 'abandoned', align: 'right' },
      ],
    },
    {
      title: t('人力安排（平均坐席数）', 'Staffing (average agents)'),
      children: (
        [
          ['answering', '接听', 'Answering'],
          ['training', '培训', 'Training'],
          ['meeting', '会议', 'Meeting'],
          ['paperwork', '文书', 'Paperwork'],
          ['break', '休息', 'Break'],
          ['otherPause', '其它暂停', 'Other'],
        ] as const
      ).map(([k, zh, en]) => ({
        title: <ColumnTitle zh={zh} en={en} help={k} />,
        key: k,
        align: 'right' as const,
        render: (_: unknown, r: IntervalRow) => agents1(r.staffing[k])?.toFixed(1),
      })),
    },
    {
      title: t('服务', 'Service'),
      children: [
        {
          title: <ColumnTitle zh="服务水平" en="SL" help="serviceLevel" />,
          key: 'sl',
          align: 'right',
          render: (_, r) => formatPercent(r.serviceLevel),
        },
        { title: <ColumnTitle zh="平均应答" en="ASA" help="asa" />, key: 'asa', align: 'right', render: (_, r) => secs(r.asaMs) },
        { title: <ColumnTitle zh="平均处理" en="AHT" help="aht" />, key: 'aht', align: 'right', render: (_, r) => secs(r.ahtMs) },
      ],
    },
    {
      title: t('Erlang C 建议', 'Erlang C advice'),
      children: [
        {
          title: <ColumnTitle zh="话务量" en="Erlangs" help="traffic" />,
          key: 'erl',
          align: 'right',
          render: (_, r) => (r.trafficErlangs == null ? '—' : r.trafficErlangs.toFixed(2)),
        },
        {
          title: <ColumnTitle zh="建议人数" en="Needed" help="needed" />,
          key: 'need',
          align: 'right',
          render: (_, r) => num(r.agentsNeeded),
        },
        {
          title: <ColumnTitle zh="预计服务水平" en="Predicted SL" help="predicted" />,
          key: 'pred',
          align: 'right',
          render: (_, r) => formatPercent(r.predictedServiceLevel),
        },
      ],
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space size={40} wrap>
        <Statistic title={t('来电量', 'Offered')} value={tot.offered} />
        <Statistic title={t('接听量', 'Answered')} value={tot.answered} />
        <Statistic title={t('放弃量', 'Abandoned')} value={tot.abandoned} />
        <Statistic title={t('服务水平', 'Service level')} value={formatPercent(tot.serviceLevel)} />
        <Statistic title={t('平均应答', 'ASA')} value={secs(tot.asaMs)} />
        <Statistic title={t('放弃率', 'Abandon rate')} value={formatPercent(tot.abandonRate)} />
        <Statistic title={t('最长等待', 'Longest wait')} value={secs(tot.longestWaitMs)} />
      </Space>
      {series.labels.length ? (
        <Chart option={option} height={280} testId="chart-intervals" />
      ) : (
        <Empty
          data-testid="empty-intervals"
          description={t('所选日期没有来电，也没有坐席签入', 'No calls and no agents signed in on these days')}
        />
      )}
      <Space>
        <Switch size="small" checked={activeOnly} onChange={setActiveOnly} data-testid="intervals-active-only" />
        <Typography.Text>{t('只看有数据的时段', 'Only intervals with data')}</Typography.Text>
        <Typography.Text type="secondary">
          {t(
            `服务水平目标：${report.targets.slSeconds}秒内接起 ${formatPercent(report.targets.slTarget)}；短时放弃：少于${report.targets.shortAbandonS}秒`,
            `SL target: ${formatPercent(report.targets.slTarget)} within ${report.targets.slSeconds} s; short abandon: under ${report.targets.shortAbandonS} s`,
          )}
        </Typography.Text>
      </Space>
      <Table<IntervalRow>
        data-testid="table-intervals"
        size="small"
        bordered
        rowKey="start"
        columns={columns}
        dataSource={rows}
        rowClassName={(r) => (intervalHasData(r) ? '' : 'report-row-empty')}
        pagination={{ defaultPageSize: 32, showSizeChanger: true, pageSizeOptions: [32, 96] }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('没有数据', 'No data')} /> }}
      />
    </Space>
  );
}
