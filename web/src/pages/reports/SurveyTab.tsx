import { useMemo } from 'react';
import { Empty, Table, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { formatPercent } from '../../lib/time';
import { Chart } from './Chart';
import { surveyChart, surveyRowLabel, type SurveyReport, type SurveyRow } from './survey';

/** 满意度: surveys offered and answered, 满意 / 基本满意 / 不满意 and the rates, per agent, queue or day, with the total. */
export function SurveyTab({ report }: { report: SurveyReport }) {
  const t = useT();
  const option = useMemo(() => surveyChart(report, t), [report, t]);
  const keyTitle = { agent: t('坐席', 'Agent'), queue: t('队列', 'Queue'), day: t('日期', 'Day') }[report.by];
  const total: SurveyRow = { ...report.total, key: '*', name: null };
  const columns: TableColumnsType<SurveyRow> = [
    { title: keyTitle, key: 'key', render: (_, r) => (r.key === '*' ? <b>{t('合计', 'Total')}</b> : surveyRowLabel(r, report.by)) },
    { title: t('邀评数', 'Offered'), dataIndex: 'offered', align: 'right' },
    { title: t('评价数', 'Answered'), dataIndex: 'answered', align: 'right' },
    { title: t('参评率', 'Response rate'), key: 'rr', align: 'right', render: (_, r) => formatPercent(r.responseRate) },
    { title: t('满意', 'Satisfied'), dataIndex: 'satisfied', align: 'right' },
    { title: t('基本满意', 'Fairly satisfied'), dataIndex: 'fair', align: 'right' },
    { title: t('不满意', 'Dissatisfied'), dataIndex: 'dissatisfied', align: 'right' },
    { title: t('满意占比', 'Satisfied share'), key: 'sr', align: 'right', render: (_, r) => formatPercent(r.satisfiedRate) },
    {
      title: t('满意率（含基本满意）', 'Satisfaction rate'),
      key: 'sat',
      align: 'right',
      render: (_, r) => formatPercent(r.satisfactionRate),
    },
  ];
  if (!report.rows.length) return <Empty description={t('所选日期没有满意度评价', 'No survey on these days')} />;
  return (
    <>
      <Chart option={option} height={280} testId="chart-survey" />
      <Table<SurveyRow>
        data-testid="table-survey"
        size="small"
        bordered
        rowKey="key"
        columns={columns}
        dataSource={[...report.rows, total]}
        pagination={false}
        scroll={{ x: 'max-content' }}
      />
    </>
  );
}
