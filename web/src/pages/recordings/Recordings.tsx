import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { ApiError, get } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { beijingDay, formatDateTime, formatDuration } from '../../lib/time';
import { ReviewDrawer } from '../quality/ReviewDrawer';
import { RecordingDrawer } from './RecordingDrawer';
import { KINDS, OUTCOMES, recordingsUrl, type RecordingFilters } from './recording-format';
import type { Recording, RecordingPage } from './types';

type FilterField = 'from' | 'to' | 'caller' | 'agentId' | 'queue' | 'outcome';
const FILTER_FIELDS: readonly string[] = ['from', 'to', 'caller', 'agentId', 'queue', 'outcome'];

/**
 * 录音查询: recorded calls by day, caller, agent, queue and outcome, newest first, 50 at a time;
 * one opens in a drawer with the player, its holds and (for reviewers) the review form.
 * `?id=` opens one recording directly (a link from a review or a work order).
 */
export default function Recordings() {
  const t = useT();
  const { can } = useSession();
  const [search, setSearch] = useSearchParams();
  const today = beijingDay();
  const [draft, setDraft] = useState<RecordingFilters>({ from: today, to: today });
  const [filters, setFilters] = useState<RecordingFilters>(draft);
  const [rows, setRows] = useState<Recording[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<ApiError | Error>();
  // The recording asked for by ?id= fails on its own: the list's answer, arriving later, must not clear it.
  const [openError, setOpenError] = useState<Error>();
  const [more, setMore] = useState(false);
  const [open, setOpen] = useState<Recording | null>(null);
  const [reviewing, setReviewing] = useState<Recording | null>(null);
  const openId = search.get('id');

  useEffect(() => {
    let live = true;
    setRows(undefined);
    get<RecordingPage>(recordingsUrl(filters)).then(
      (p) => live && (setRows(p.items), setNext(p.next), setError(undefined)),
      (e: Error) => live && (setRows([]), setNext(undefined), setError(e)),
    );
    return () => void (live = false);
  }, [filters]);

  const loadMore = async () => {
    if (!next) return;
    setMore(true);
    try {
      const p = await get<RecordingPage>(recordingsUrl(filters, next));
      setRows((r) => [...(r ?? []), ...p.items]);
      setNext(p.next);
    } catch (e) {
      setError(e as Error);
    } finally {
      setMore(false);
    }
  };

  // The drawer follows ?id=, so a reload or a link opens the same recording.
  const reload = useCallback(
    async (id: string) => {
      try {
        const r = await get<Recording>(`/api/recordings/${encodeURIComponent(id)}`);
        setOpen(r);
        setOpenError(undefined);
        setRows((rs) => rs?.map((x) => (x.id === r.id ? r : x)));
      } catch (e) {
        setOpen(null);
        setOpenError(e as Error);
      }
    },
    [setOpen],
  );
  useEffect(() => {
    if (openId) return void reload(openId);
    setOpen(null);
    setOpenError(undefined);
  }, [openId, reload]);
  const show = (id: string | null) =>
    setSearch(
      (s) => {
        const n = new URLSearchParams(s);
        if (id) n.set('id', id);
        else n.delete('id');
        return n;
      },
      { replace: false },
    );

  const errField =
    error instanceof ApiError && error.field && FILTER_FIELDS.includes(error.field) ? (error.field as FilterField) : undefined;
  const at = (f: FilterField) =>
    errField === f ? { validateStatus: 'error' as const, help: <span data-testid={`field-error-${f}`}>{error!.message}</span> } : {};
  const set = (patch: Partial<RecordingFilters>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <div data-testid="recordings-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('录音查询', 'Recordings')}
      </Typography.Title>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form layout="inline" style={{ rowGap: 8 }} onFinish={() => setFilters({ ...draft })}>
          <Form.Item label={t('日期', 'Days')} {...(at('from').help ? at('from') : at('to'))}>
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(draft.from), dayjs(draft.to)]}
              onChange={(v) => v?.[0] && v[1] && set({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })}
              data-testid="filter-days"
            />
          </Form.Item>
          <Form.Item label={t('来电号码', 'Caller')} {...at('caller')}>
            <Input
              allowClear
              style={{ width: 140 }}
              maxLength={32}
              value={draft.caller}
              onChange={(e) => set({ caller: e.target.value.replace(/[^\d+]/g, '') })}
              data-testid="filter-caller"
            />
          </Form.Item>
          <Form.Item label={t('坐席工号', 'Agent')} {...at('agentId')}>
            <Input
              allowClear
              style={{ width: 100 }}
              maxLength={32}
              value={draft.agentId}
              onChange={(e) => set({ agentId: e.target.value })}
              data-testid="filter-agent"
            />
          </Form.Item>
          <Form.Item label={t('队列', 'Queue')} {...at('queue')}>
            <Input
              allowClear
              style={{ width: 120 }}
              maxLength={64}
              value={draft.queue}
              onChange={(e) => set({ queue: e.target.value })}
              data-testid="filter-queue"
            />
          </Form.Item>
          <Form.Item label={t('结果', 'Outcome')} {...at('outcome')}>
            <Select
              allowClear
              style={{ width: 130 }}
              value={draft.outcome}
              onChange={(outcome?: string) => set({ outcome })}
              placeholder={t('全部', 'All')}
              data-testid="filter-outcome"
              options={Object.entries(OUTCOMES).map(([value, names]) => ({ value, label: t(...names) }))}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" data-testid="filter-search">
              {t('查询', 'Search')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {openError || (error && !errField) ? (
        <Alert type="error" showIcon message={(openError ?? error)!.message} style={{ marginBottom: 12 }} data-testid="recordings-error" />
      ) : null}
      <Table<Recording>
        data-testid="recordings-table"
        rowKey="id"
        size="small"
        loading={rows === undefined}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(r) => ({ onDoubleClick: () => show(r.id) })}
        locale={{ emptyText: t('没有符合条件的录音', 'No recordings match') }}
        columns={[
          { title: t('开始时间', 'Started'), dataIndex: 'startedAt', width: 170, render: (v: string) => formatDateTime(v) },
          { title: t('来电号码', 'Caller'), dataIndex: 'caller', width: 130 },
          {
            title: t('坐席', 'Agent'),
            width: 130,
            render: (_: unknown, r) => (r.agentId ? `${r.agentName ?? ''} (${r.agentId})` : '—'),
          },
          { title: t('队列', 'Queue'), dataIndex: 'queue', width: 110 },
          {
            title: t('时长', 'Length'),
            width: 80,
            render: (_: unknown, r) =>
              r.endedAt ? formatDuration(r.durationMs == null ? null : r.durationMs / 1000) : <Tag color="red">{t('录音中', 'Live')}</Tag>,
          },
          {
            title: t('结果', 'Outcome'),
            dataIndex: 'outcome',
            width: 90,
            render: (o: string | null) => (o ? t(...(OUTCOMES[o] ?? [o, o])) : '—'),
          },
          { title: t('类型', 'Kind'), dataIndex: 'kind', width: 90, render: (k: Recording['kind']) => t(...KINDS[k]) },
          {
            title: t('状态', 'Status'),
            width: 150,
            render: (_: unknown, r) => (
              <Space size={4} wrap>
                {r.deletedAt ? <Tag>{t('已删除', 'Deleted')}</Tag> : null}
                {r.holds.length ? <Tag color="orange">{t(`保全 ${r.holds.length}`, `${r.holds.length} hold(s)`)}</Tag> : null}
                {r.reviewed ? <Tag color="green">{t('已质检', 'Reviewed')}</Tag> : null}
              </Space>
            ),
          },
          {
            title: '',
            width: 80,
            fixed: 'right',
            render: (_: unknown, r) => (
              <Button size="small" onClick={() => show(r.id)} data-testid={`recording-open-${r.callId}`}>
                {t('收听', 'Listen')}
              </Button>
            ),
          },
        ]}
      />
      {next ? (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={() => void loadMore()} loading={more} data-testid="recordings-more">
            {t('加载更多', 'Load more')}
          </Button>
        </div>
      ) : null}
      <RecordingDrawer
        recording={open}
        onClose={() => show(null)}
        onChanged={() => open && void reload(open.id)}
        canHold={can('recordings.hold')}
        canReview={can('quality.review')}
        onReview={(r) => {
          // One player at a time: the review drawer has its own on top.
          setReviewing(r);
          show(null);
        }}
      />
      <ReviewDrawer
        recording={reviewing}
        onClose={() => setReviewing(null)}
        onSaved={() => {
          const id = reviewing?.id;
          setReviewing(null);
          if (id) show(id);
        }}
      />
    </div>
  );
}
