import { Empty, Table, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDuration, formatPercent } from '../../lib/time';
import { ColumnTitle } from './ColumnTitle';
import type { QueuesReport } from './types';

type Row = QueuesReport['rows'][number];
const dur = (ms: number | null) => formatDuration(ms == null ? null : ms / 1000);

/** Per queue and all queues together: volumes, service level, ASA, abandon rate. */
export function QueuesTab({ report }: { report: QueuesReport }) {
  const t = useT();
  const columns: TableColumnsType<Row> = [
    { title: t('队列', 'Queue'), key: 'queue', render: (_, r) => r.queue ?? <b>{t('全部队列', 'All queues')}</b> },
    { title: <ColumnTitle zh="来电量" en="Offered" help="offered" />, dataIndex: 'offered', align: 'right' },
    { title: <ColumnTitle zh="接听量" en="Answered" help="answered" />, dataIndex: 'answered', align: 'right' },
    { title: <ColumnTitle zh="放弃量" en="Abandoned" help="abandoned" />, dataIndex: 'abandoned', align: 'right' },
    { title: <ColumnTitle zh="短时放弃" en="Short abandons" help="shortAbandoned" />, dataIndex: 'shortAbandoned', align: 'right' },
    {
      title: <ColumnTitle zh="服务水平" en="Service level" help="serviceLevel" />,
      key: 'sl',
      align: 'right',
      render: (_, r) => formatPercent(r.serviceLevel),
    },
    { title: <ColumnTitle zh="平均应答" en="ASA" help="asa" />, key: 'asa', align: 'right', render: (_, r) => dur(r.asaMs) },
    {
      title: <ColumnTitle zh="放弃率" en="Abandon rate" help="abandonRate" />,
      key: 'ar',
      align: 'right',
      render: (_, r) => formatPercent(r.abandonRate),
    },
    {
      title: <ColumnTitle zh="最长等待" en="Longest wait" help="longestWait" />,
      key: 'lw',
      align: 'right',
      render: (_, r) => dur(r.longestWaitMs),
    },
    { title: <ColumnTitle zh="平均处理" en="AHT" help="aht" />, key: 'aht', align: 'right', render: (_, r) => dur(r.ahtMs) },
  ];
  return (
    <Table<Row>
      data-testid="table-queues"
      size="small"
      bordered
      rowKey={(r) => r.queue ?? '*'}
      columns={columns}
      dataSource={report.rows}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: <Empty description={t('所选日期没有来电', 'No calls on these days')} /> }}
    />
  );
}
