import { useMemo } from 'react';
import { Alert, Empty, Space, Statistic, Table, Tag, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDateTime, formatDuration } from '../../lib/time';
import { Chart } from './Chart';
import { ColumnTitle } from './ColumnTitle';
import { abandonChart } from './charts';
import { abandonSeries } from './series';
import type { AbandonRow, AbandonsReport } from './types';

const PLACES: Record<string, [string, string, string]> = {
  ivr: ['语音导航', 'IVR', 'default'],
  queue: ['排队', 'Queue', 'orange'],
  ringing: ['振铃', 'Ringing', 'red'],
};

/** 来电放弃情况: every abandoned call, where it gave up and whether the caller was later answered. */
export function AbandonsTab({ report }: { report: AbandonsReport }) {
  const t = useT();
  const series = useMemo(() => abandonSeries(report.rows, t), [report, t]);
  const option = useMemo(() => abandonChart(series, t), [series, t]);
  const waited = series.queue.reduce((a, b) => a + b, 0) + series.ringing.reduce((a, b) => a + b, 0);
  const calledBack = report.rows.filter((r) => r.calledBack).length;
  const yesNo = (v: boolean | null) => (v == null ? '—' : v ? t('是', 'yes') : t('否', 'no'));

  const columns: TableColumnsType<AbandonRow> = [
    { title: t('序号', 'No.'), key: 'n', width: 64, align: 'right', render: (_, _r, i) => i + 1 },
    { title: t('来电号码', 'Caller'), dataIndex: 'caller' },
    { title: t('转人工时间', 'Asked for an agent at'), key: 'asked', render: (_, r) => formatDateTime(r.askedAt) },
    { title: <ColumnTitle zh="转人工结点" en="From node" help="node" />, dataIndex: 'node', render: (v: string) => v || '—' },
    {
      title: <ColumnTitle zh="放弃位置" en="Gave up in" help="place" />,
      key: 'place',
      render: (_, r) => {
        const p = PLACES[r.abandonedAt];
        return p ? <Tag color={p[2]}>{t(p[0], p[1])}</Tag> : r.abandonedAt;
      },
    },
    {
      title: <ColumnTitle zh="等待" en="Wait" help="wait" />,
      key: 'wait',
      align: 'right',
      render: (_, r) => formatDuration(r.waitMs == null ? null : r.waitMs / 1000),
    },
    { title: <ColumnTitle zh="短时放弃" en="Short" help="shortAbandoned" />, key: 'short', render: (_, r) => yesNo(r.short) },
    {
      title: <ColumnTitle zh="后续已接通" en="Called back" help="calledBack" />,
      key: 'cb',
      render: (_, r) => <Tag color={r.calledBack ? 'green' : 'default'}>{yesNo(r.calledBack)}</Tag>,
    },
    { title: t('队列', 'Queue'), dataIndex: 'queue', render: (v: string | null) => v ?? '—' },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space size={40} wrap>
        <Statistic title={t('放弃来电', 'Abandoned calls')} value={report.count} />
        <Statistic title={t('排队或振铃中放弃', 'In the queue or ringing')} value={waited} />
        <Statistic title={t('语音导航中挂机', 'Hung up in the IVR')} value={series.ivr} />
        <Statistic title={t('后续已接通', 'Called back')} value={calledBack} />
      </Space>
      {report.count > report.rows.length && (
        <Alert
          type="info"
          showIcon
          message={t(
            `共 ${report.count} 条，页面显示前 ${report.rows.length} 条；导出 CSV 可得全部`,
            `${report.count} in all; the first ${report.rows.length} are shown, the CSV export has them all`,
          )}
        />
      )}
      {waited ? (
        <Chart option={option} height={260} testId="chart-abandons" />
      ) : (
        <Empty
          data-testid="empty-abandons"
          description={t('所选日期没有排队或振铃中放弃的来电', 'No caller gave up in a queue or while ringing on these days')}
        />
      )}
      <Table<AbandonRow>
        data-testid="table-abandons"
        size="small"
        rowKey="callId"
        columns={columns}
        dataSource={report.rows}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('没有放弃的来电', 'No abandoned calls')} /> }}
      />
    </Space>
  );
}
