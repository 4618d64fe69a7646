import { useMemo } from 'react';
import { Empty, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useT } from '../../lib/i18n';
import { Chart } from './Chart';
import { ColumnTitle } from './ColumnTitle';
import { regionChart } from './charts';
import { regionName, regionShare } from './series';
import type { RegionRow, RegionsReport } from './types';

/** 异地固话来电统计: calls per month by where the caller is (home city, province, elsewhere, mobile). */
export function RegionsTab({ report }: { report: RegionsReport }) {
  const t = useT();
  const city = report.home.city ?? report.home.cityCode;
  const share = useMemo(() => regionShare(report.rows, city, t), [report, city, t]);
  const option = useMemo(() => regionChart(share, t), [share, t]);
  const count = (key: keyof RegionRow) => ({ key, dataIndex: key, align: 'right' as const });
  const columns: TableColumnsType<RegionRow> = [
    { title: t('年月', 'Month'), dataIndex: 'month' },
    { title: regionName('homeCity', city, t), ...count('homeCity') },
    { title: regionName('homeProvince', city, t), ...count('homeProvince') },
    { title: regionName('otherProvince', city, t), ...count('otherProvince') },
    { title: regionName('international', city, t), ...count('international') },
    { title: <ColumnTitle zh="小计" en="Subtotal" help="outsideFixed" />, ...count('outsideFixed') },
    { title: regionName('mobile', city, t), ...count('mobile') },
    { title: regionName('unknown', city, t), ...count('unknown') },
    { title: t('合计', 'Total'), ...count('total') },
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Text type="secondary">
        {t(
          `按月统计（所选日期所在的月份），本地区号 ${report.home.cityCode}（${report.home.province}）`,
          `By month (the months of the chosen days); home area code ${report.home.cityCode} (${report.home.province})`,
        )}
      </Typography.Text>
      {share.length ? (
        <Chart option={option} height={300} testId="chart-regions" />
      ) : (
        <Empty data-testid="empty-regions" description={t('所选月份没有来电', 'No calls in these months')} />
      )}
      <Table<RegionRow>
        data-testid="table-regions"
        size="small"
        bordered
        rowKey="month"
        columns={columns}
        dataSource={report.rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
      />
    </Space>
  );
}
