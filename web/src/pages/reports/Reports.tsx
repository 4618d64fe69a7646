import { useEffect, useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Spin, Tabs, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { ApiError, get } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { beijingDay } from '../../lib/time';
import { filterField, REPORTS, reportUrl, type FilterField, type Filters, type ReportName } from './filters';
import { IntervalsTab } from './IntervalsTab';
import { AbandonsTab } from './AbandonsTab';
import { RegionsTab } from './RegionsTab';
import { AgentsTab } from './AgentsTab';
import { QueuesTab } from './QueuesTab';
import { SurveyTab } from './SurveyTab';
import type { SurveyReport } from './survey';
import { TopicsTab } from './TopicsTab';
import type { AbandonsReport, AgentsReport, IntervalsReport, QueuesReport, RegionsReport, TopicsReport } from './types';

/** The queues of the active routing configuration, for the filter (empty if it cannot be read). */
function useQueues(canRead: boolean): string[] {
  const [queues, setQueues] = useState<string[]>([]);
  useEffect(() => {
    if (!canRead) return;
    let live = true;
    (async () => {
      const { version } = await get<{ version: number }>('/api/routing/active');
      const cfg = await get<{ queues?: Array<{ queue: string }> }>(`/api/routing/versions/${version}`);
      if (live) setQueues((cfg.queues ?? []).map((q) => q.queue));
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [canRead]);
  return queues;
}

interface Loaded {
  url: string;
  tab: ReportName;
  data?: unknown;
  error?: Error;
}

/**
 * 统计报表: the seed's tables (来电量与人力安排, 来电放弃情况, 异地固话来电统计) and the agents and queues
 * reports, for the days and queue chosen; each tab exports the same rows as CSV headed in Chinese.
 */
export default function Reports() {
  const t = useT();
  const { can } = useSession();
  const [search, setSearch] = useSearchParams();
  const tab: ReportName = (REPORTS as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as ReportName)
    : 'intervals';
  const today = beijingDay();
  const [filters, setFilters] = useState<Filters>({ from: today, to: today, minutes: 15 });
  const queues = useQueues(can('read'));
  const url = reportUrl(tab, filters);
  const [loaded, setLoaded] = useState<Loaded>();

  useEffect(() => {
    let live = true;
    get<unknown>(url).then(
      (data) => live && setLoaded({ url, tab, data }),
      (error: Error) => live && setLoaded({ url, tab, error }),
    );
    return () => {
      live = false;
    };
  }, [url, tab]);

  const loading = loaded?.url !== url;
  const shown = loaded?.tab === tab ? loaded : undefined;
  const error = shown && !loading ? shown.error : undefined;
  const errField: FilterField | undefined = error instanceof ApiError ? filterField(error.field) : undefined;
  const at = (f: FilterField) =>
    errField === f
      ? {
          validateStatus: 'error' as const,
          help: (
            // Wrapped under the field, so a long message does not widen it and push the other filters about.
            <span data-testid={`field-error-${f}`} style={{ display: 'block', maxWidth: 320 }}>
              {error!.message}
            </span>
          ),
        }
      : {};
  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  const content = (): ReactNode => {
    if (!shown) return <Spin style={{ width: '100%', marginTop: 60 }} />;
    if (shown.error) {
      if (errField) return <Alert type="warning" showIcon message={t('请修改筛选条件', 'Please change the filters')} />;
      return <Alert type="error" showIcon message={shown.error.message} data-testid="report-error" />;
    }
    switch (shown.tab) {
      case 'intervals':
        return <IntervalsTab report={shown.data as IntervalsReport} />;
      case 'abandons':
        return <AbandonsTab report={shown.data as AbandonsReport} />;
      case 'regions':
        return <RegionsTab report={shown.data as RegionsReport} />;
      case 'agents':
        return <AgentsTab report={shown.data as AgentsReport} />;
      case 'queues':
        return <QueuesTab report={shown.data as QueuesReport} />;
      case 'survey':
        return <SurveyTab report={shown.data as SurveyReport} />;
      case 'topics':
        return <TopicsTab report={shown.data as TopicsReport} />;
    }
  };

  const labels: Record<ReportName, string> = {
    intervals: t('时段', 'Intervals'),
    abandons: t('放弃来电', 'Abandons'),
    regions: t('来电地区', 'Regions'),
    agents: t('坐席', 'Agents'),
    queues: t('队列', 'Queues'),
    survey: t('满意度', 'Satisfaction'),
    topics: t('热点', 'Hot topics'),
  };

  return (
    <div data-testid="reports-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('统计报表', 'Reports')}
      </Typography.Title>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form layout="inline" style={{ rowGap: 8 }}>
          <Form.Item label={t('开始日期', 'From')} {...at('from')}>
            <DatePicker
              data-testid="filter-from"
              allowClear={false}
              value={dayjs(filters.from)}
              onChange={(d) => d && set({ from: d.format('YYYY-MM-DD') })}
            />
          </Form.Item>
          <Form.Item label={t('结束日期', 'To')} {...at('to')}>
            <DatePicker
              data-testid="filter-to"
              allowClear={false}
              value={dayjs(filters.to)}
              onChange={(d) => d && set({ to: d.format('YYYY-MM-DD') })}
            />
          </Form.Item>
          <Form.Item label={t('队列', 'Queue')} {...at('queue')}>
            <Select
              data-testid="filter-queue"
              allowClear
              showSearch
              style={{ width: 170 }}
              placeholder={t('全部队列', 'All queues')}
              value={filters.queue}
              onChange={(v?: string) => set({ queue: v || undefined })}
              options={queues.map((q) => ({ value: q, label: q }))}
            />
          </Form.Item>
          {tab === 'intervals' && (
            <Form.Item label={t('时段长度', 'Interval')} {...at('minutes')}>
              <Select
                style={{ width: 100 }}
                value={filters.minutes}
                onChange={(v: number) => set({ minutes: v })}
                options={[15, 30, 60].map((m) => ({ value: m, label: t(`${m}分钟`, `${m} min`) }))}
              />
            </Form.Item>
          )}
          {tab === 'abandons' && (
            <Form.Item label={t('来电号码', 'Caller')} {...at('caller')}>
              <Input.Search
                data-testid="filter-caller"
                allowClear
                style={{ width: 190 }}
                placeholder={t('全部号码', 'All callers')}
                defaultValue={filters.caller}
                onSearch={(v) => set({ caller: v.trim() || undefined })}
              />
            </Form.Item>
          )}
          {tab === 'survey' && (
            <Form.Item label={t('统计维度', 'Rows by')}>
              <Select
                data-testid="filter-by"
                style={{ width: 100 }}
                value={filters.by ?? 'agent'}
                onChange={(v: Filters['by']) => set({ by: v })}
                options={[
                  { value: 'agent', label: t('按坐席', 'Agent') },
                  { value: 'queue', label: t('按队列', 'Queue') },
                  { value: 'day', label: t('按日期', 'Day') },
                ]}
              />
            </Form.Item>
          )}
          {tab === 'topics' && (
            <>
              <Form.Item label={t('分组', 'Group by')}>
                <Select
                  data-testid="filter-by"
                  style={{ width: 100 }}
                  value={filters.by ?? 'day'}
                  onChange={(v: 'day' | 'queue' | 'agent') => set({ by: v })}
                  options={[
                    { value: 'day', label: t('按日', 'Day') },
                    { value: 'queue', label: t('按队列', 'Queue') },
                    { value: 'agent', label: t('按坐席', 'Agent') },
                  ]}
                />
              </Form.Item>
              <Form.Item label={t('坐席', 'Agent')} {...at('agentId')}>
                <Input.Search
                  data-testid="filter-agent"
                  allowClear
                  style={{ width: 150 }}
                  placeholder={t('全部坐席', 'All agents')}
                  defaultValue={filters.agentId}
                  onSearch={(v) => set({ agentId: v.trim() || undefined })}
                />
              </Form.Item>
            </>
          )}
          {/* The survey and hot-topics reports have no CSV (yet): their tables are small enough to copy. */}
          {tab !== 'topics' && tab !== 'survey' && (
            <Form.Item style={{ marginInlineStart: 'auto', marginInlineEnd: 0 }}>
              <Button icon={<DownloadOutlined />} href={reportUrl(tab, filters, 'csv')} data-testid="csv-export">
                {t('导出 CSV', 'Export CSV')}
              </Button>
            </Form.Item>
          )}
        </Form>
      </Card>
      <Tabs
        activeKey={tab}
        onChange={(k) => setSearch({ tab: k }, { replace: true })}
        items={REPORTS.map((key) => ({
          key,
          label: <span data-testid={`tab-${key}`}>{labels[key]}</span>,
          children:
            key === tab ? (
              <Spin spinning={loading && !!shown} delay={150}>
                <div data-testid={loading ? undefined : `report-${key}`}>{content()}</div>
              </Spin>
            ) : null,
        }))}
      />
    </div>
  );
}
