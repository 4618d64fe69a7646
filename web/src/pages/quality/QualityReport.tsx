import { useEffect, useMemo, useState } from 'react';
import { Alert, Card, Drawer, Empty, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { get } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { Chart } from '../reports/Chart';
import { MonthPicker } from './MonthPicker';
import { agentLabel, qualityChart } from './quality-chart';
import { ReviewList } from './ReviewList';
import { beijingMonth, itemLabel } from './score';
import type { QualityForm, QualityReport as Report, QualityReportRow } from './types';

const pct = (v: number | undefined) => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(1)}%`);

/**
 * 质检报表: per agent for one month, the reviews, average, lowest and highest totals, and each form
 * item's average as a share of its maximum; a bar chart of the averages. A row opens that agent's reviews.
 */
export default function QualityReport() {
  const t = useT();
  const { lang } = useLang();
  const now = beijingMonth();
  const [month, setMonth] = useState(now);
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const [form, setForm] = useState<QualityForm>();
  const [agent, setAgent] = useState<QualityReportRow | null>(null);
  useEffect(() => {
    void get<QualityForm>('/api/quality/form').then(setForm, () => undefined);
  }, []);
  useEffect(() => {
    let live = true;
    setReport(undefined);
    get<Report>(`/api/reports/quality?month=${month}`).then(
      (r) => live && (setReport(r), setError(undefined)),
      (e: Error) => live && setError(e.message),
    );
    return () => void (live = false);
  }, [month]);

  // Item columns: the current form's items first, in its order, then any key only older versions had.
  const itemKeys = useMemo(() => {
    const keys = (form?.items ?? []).map((i) => i.key);
    for (const r of report?.rows ?? []) for (const k of Object.keys(r.byItem)) if (!keys.includes(k)) keys.push(k);
    return keys;
  }, [form, report]);
  const labelOf = (k: string) => {
    const i = form?.items.find((x) => x.key === k);
    return i ? itemLabel(i, lang) : k;
  };
  const option = useMemo(() => qualityChart(report?.rows ?? [], t), [report, t]);
  const columns: ColumnsType<QualityReportRow> = [
    { title: t('坐席', 'Agent'), fixed: 'left', width: 140, render: (_: unknown, r) => agentLabel(r) },
    { title: t('质检数', 'Reviews'), dataIndex: 'reviews', width: 80, align: 'right' },
    { title: t('平均分', 'Average'), dataIndex: 'avgTotal', width: 80, align: 'right', render: (v: number) => v.toFixed(1) },
    { title: t('最低分', 'Lowest'), dataIndex: 'minTotal', width: 80, align: 'right', render: (v: number) => v.toFixed(1) },
    { title: t('最高分', 'Highest'), dataIndex: 'maxTotal', width: 80, align: 'right', render: (v: number) => v.toFixed(1) },
    ...itemKeys.map((k) => ({
      title: labelOf(k),
      key: k,
      width: 110,
      align: 'right' as const,
      render: (_: unknown, r: QualityReportRow) => pct(r.byItem[k]),
    })),
  ];
  return (
    <div data-testid="quality-report-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('质检报表', 'Quality report')}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }}>
        {t('月份', 'Month')}
        <MonthPicker value={month} onChange={setMonth} max={now} />
        <Typography.Text type="secondary">
          {t(
            '各评分项为平均得分占满分的百分比；点击一行查看该坐席的质检记录',
            'Items: average score as a share of the maximum; click a row for that agent’s reviews',
          )}
        </Typography.Text>
      </Space>
      {error ? <Alert type="error" showIcon message={error} data-testid="quality-report-error" /> : null}
      {report && report.rows.length ? (
        <Card size="small" title={t('坐席平均分', 'Average per agent')} style={{ marginBottom: 12 }}>
          <Chart option={option} height={280} testId="chart-quality" />
        </Card>
      ) : report ? (
        <Empty description={t('本月没有质检记录', 'No reviews this month')} data-testid="quality-report-empty" />
      ) : null}
      <Table<QualityReportRow>
        data-testid="table-quality"
        size="small"
        bordered
        rowKey="agentId"
        loading={!report && !error}
        dataSource={report?.rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={columns}
        onRow={(r) => ({ onClick: () => setAgent(r), style: { cursor: 'pointer' } })}
        locale={{ emptyText: t('没有数据', 'No data') }}
      />
      <Drawer
        open={!!agent}
        onClose={() => setAgent(null)}
        width={900}
        title={agent ? t(`${agentLabel(agent)} · ${month} 质检记录`, `${agentLabel(agent)} · reviews of ${month}`) : ''}
        destroyOnHidden
      >
        {agent ? <ReviewList month={month} agentId={agent.agentId} /> : null}
      </Drawer>
    </div>
  );
}
