import { useMemo } from 'react';
import { Card, Col, Empty, Row, Space, Table, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { Chart } from './Chart';
import { topicsChart } from './charts';
import type { TopicArticle, TopicCategory, TopicsReport } from './types';

/**
 * 热点: the categories asked about most and the knowledge-base articles used most, from the call
 * summaries (docs/metrics.md), over the range and per day, queue or agent.
 */
export function TopicsTab({ report }: { report: TopicsReport }) {
  const t = useT();
  const option = useMemo(
    () =>
      topicsChart(
        report.overall.categories.map((c) => ({ name: c.path.at(-1) ?? '', full: c.path.join(' › '), count: c.count })),
        t,
      ),
    [report, t],
  );
  const groupTitle = report.by === 'day' ? t('日期', 'Day') : report.by === 'queue' ? t('队列', 'Queue') : t('坐席', 'Agent');
  const pathCell = (c: TopicCategory) => c.path.join(' › ');
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Text type="secondary" data-testid="topics-total">
        {t(
          `共 ${report.summaries} 条来电小结（按来电开始的日期统计）`,
          `${report.summaries} call summaries (by the day each call started)`,
        )}
      </Typography.Text>
      {report.summaries ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('最常咨询的分类', 'Most asked categories')}>
              <Chart option={option} height={Math.max(160, 36 * report.overall.categories.length + 60)} testId="chart-topics" />
            </Card>
          </Col>
          <Col xs={24} xl={12}>
            <Card size="small" title={t('最常使用的知识', 'Most used articles')}>
              <Table<TopicArticle>
                data-testid="table-topic-articles"
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={report.overall.articles}
                locale={{ emptyText: t('小结中没有使用知识', 'No articles linked in the summaries') }}
                columns={[
                  { title: t('知识（问题）', 'Article (question)'), dataIndex: 'question' },
                  { title: t('次数', 'Times'), dataIndex: 'count', align: 'right', width: 80 },
                ]}
              />
            </Card>
          </Col>
        </Row>
      ) : (
        <Empty data-testid="empty-topics" description={t('所选日期没有来电小结', 'No call summaries on these days')} />
      )}
      <Table
        data-testid="table-topics"
        size="small"
        bordered
        rowKey="key"
        pagination={false}
        dataSource={report.groups.filter((g) => g.summaries > 0)}
        locale={{ emptyText: t('没有数据', 'No data') }}
        columns={[
          { title: groupTitle, dataIndex: 'key', width: 130 },
          { title: t('小结数', 'Summaries'), dataIndex: 'summaries', align: 'right', width: 90 },
          {
            title: t('热点分类', 'Top categories'),
            render: (_: unknown, g: TopicsReport['groups'][number]) =>
              g.categories.slice(0, 3).map((c) => (
                <div key={pathCell(c)}>
                  {pathCell(c)} <Typography.Text type="secondary">×{c.count}</Typography.Text>
                </div>
              )),
          },
          {
            title: t('热点知识', 'Top articles'),
            render: (_: unknown, g: TopicsReport['groups'][number]) =>
              g.articles.length
                ? g.articles.slice(0, 3).map((a) => (
                    <div key={a.id}>
                      {a.question} <Typography.Text type="secondary">×{a.count}</Typography.Text>
                    </div>
                  ))
                : '—',
          },
        ]}
      />
    </Space>
  );
}
