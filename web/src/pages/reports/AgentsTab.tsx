import { Empty, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDuration, formatPercent } from '../../lib/time';
import { ColumnTitle } from './ColumnTitle';
import type { AgentRow, AgentsReport } from './types';

const STATES: ReadonlyArray<[string, string, string]> = [
  ['available', '空闲', 'Available'],
  ['reserved', '振铃', 'Ringing'],
  ['on_call', '通话', 'On call'],
  ['wrap_up', '话后处理', 'Wrap-up'],
  ['paused', '暂停', 'Paused'],
];
const dur = (ms: number | null | undefined) => formatDuration(ms == null ? null : ms / 1000);

/** Per agent: calls, handling time, time in each state and each pause reason (培训, 会议, 文书…). */
export function AgentsTab({ report }: { report: AgentsReport }) {
  const t = useT();
  const columns: TableColumnsType<AgentRow> = [
    { title: t('坐席', 'Agent'), dataIndex: 'agentId', fixed: 'left' },
    { title: t('姓名', 'Name'), dataIndex: 'name', render: (v: string | null) => v ?? '—' },
    { title: <ColumnTitle zh="分配量" en="Offered" help="agentOffered" />, dataIndex: 'offered', align: 'right' },
    { title: t('接听量', 'Answered'), dataIndex: 'answered', align: 'right' },
    { title: <ColumnTitle zh="未接量" en="No answer" help="noAnswer" />, dataIndex: 'noAnswer', align: 'right' },
    { title: <ColumnTitle zh="振铃中挂断" en="Hung up ringing" help="cancelled" />, dataIndex: 'cancelled', align: 'right' },
    { title: <ColumnTitle zh="平均处理" en="AHT" help="aht" />, key: 'aht', align: 'right', render: (_, r) => dur(r.ahtMs) },
    {
      title: t('各状态时长', 'Time per state'),
      children: STATES.map(([k, zh, en]) => ({
        title: t(zh, en),
        key: `s-${k}`,
        align: 'right' as const,
        render: (_: unknown, r: AgentRow) => dur(r.msByState[k] ?? 0),
      })),
    },
    ...(report.pauseReasons.length
      ? [
          {
            title: t('示忙原因时长', 'Time per pause reason'),
            children: report.pauseReasons.map((p) => ({
              title: t(p.zh, p.en),
              key: `p-${p.code}`,
              align: 'right' as const,
              render: (_: unknown, r: AgentRow) => dur(r.msByPauseReason[p.code] ?? 0),
            })),
          },
        ]
      : []),
    {
      title: <ColumnTitle zh="占用率" en="Occupancy" help="occupancy" />,
      key: 'occ',
      align: 'right',
      render: (_, r) => formatPercent(r.occupancy),
    },
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {report.note && (
        <Typography.Text type="secondary">{t('平均处理时长 = 通话 + 话后处理（保持时间尚未记录，按 0 计）', report.note)}</Typography.Text>
      )}
      <Table<AgentRow>
        data-testid="table-agents"
        size="small"
        bordered
        rowKey="agentId"
        columns={columns}
        dataSource={report.rows}
        pagination={{ defaultPageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <Empty description={t('所选日期没有坐席数据', 'No agent activity on these days')} /> }}
      />
    </Space>
  );
}
