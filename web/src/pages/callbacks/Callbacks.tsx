import { useEffect, useState } from 'react';
import { Alert, Card, Input, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { ApiError, get, query } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime, formatDuration } from '../../lib/time';

/** GET /api/callbacks: one abandoned caller still to be called back. */
interface Pending {
  caller: string;
  callId: string;
  endedAt: string;
  outcome: string;
  /** Where the caller gave up: 'ivr', 'queue', 'ringing' (not a time). */
  abandonedAt: string | null;
  queue: string | null;
  line: string | null;
  subLine: string | null;
  waitMs: number | null;
  attempts: number;
}

const WHERE: Record<string, [string, string]> = {
  ivr: ['语音导航中', 'in the IVR'],
  queue: ['排队中', 'in the queue'],
  ringing: ['振铃中', 'while ringing'],
};

/**
 * Abandoned callers still owed a call back, oldest first: what a supervisor works through when
 * the queues are quiet (the service also dials them back by itself where the rules say so).
 */
export default function Callbacks() {
  const t = useT();
  const [days, setDays] = useState(7);
  const [includeShort, setIncludeShort] = useState(false);
  const [queue, setQueue] = useState('');
  // Narrows the rows already read (the API has no caller filter): "was this taxpayer called back?"
  const [number, setNumber] = useState('');
  const [rows, setRows] = useState<Pending[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setRows(undefined);
    get<Pending[]>(`/api/callbacks${query({ days, includeShort, queue: queue.trim() || undefined })}`).then(
      (r) => live && (setRows(r), setError(undefined)),
      (e: unknown) => live && (setRows([]), setError(e instanceof ApiError ? e.message : String(e))),
    );
    return () => void (live = false);
  }, [days, includeShort, queue]);
  return (
    <Card
      title={t('待回拨来电', 'Callers to call back')}
      extra={
        <Space wrap>
          <Select
            value={days}
            onChange={setDays}
            style={{ width: 120 }}
            options={[1, 3, 7, 30, 90].map((d) => ({ value: d, label: t(`近 ${d} 天`, `Last ${d} days`) }))}
          />
          <Input
            allowClear
            placeholder={t('来电号码', 'Caller number')}
            maxLength={32}
            style={{ width: 160 }}
            value={number}
            onChange={(e) => setNumber(e.target.value.replace(/\D/g, ''))}
          />
          <Input.Search
            allowClear
            placeholder={t('队列，如 ntax-vat', 'Queue, e.g. ntax-vat')}
            maxLength={64}
            style={{ width: 200 }}
            onSearch={setQueue}
          />
          <Space>
            <Switch checked={includeShort} onChange={setIncludeShort} />
            <Typography.Text>{t('含短时放弃', 'Include short abandons')}</Typography.Text>
          </Space>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Table<Pending>
        rowKey="callId"
        size="small"
        loading={rows === undefined}
        dataSource={number ? rows?.filter((r) => r.caller.includes(number)) : rows}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: t('没有待回拨的来电', 'No callers to call back') }}
        columns={[
          { title: t('来电号码', 'Caller'), dataIndex: 'caller', render: (c: string) => <Typography.Text copyable>{c}</Typography.Text> },
          { title: t('放弃时间', 'Gave up at'), dataIndex: 'endedAt', render: (v: string) => formatDateTime(v) },
          {
            title: t('放弃位置', 'Gave up in'),
            dataIndex: 'abandonedAt',
            render: (v: string | null) => (v ? t(...(WHERE[v] ?? [v, v])) : '—'),
          },
          {
            title: t('业务', 'Business line'),
            render: (_: unknown, r) => [r.line, r.subLine].filter(Boolean).join(' → ') || r.queue || '—',
          },
          { title: t('队列', 'Queue'), dataIndex: 'queue', render: (q: string | null) => q ?? '—' },
          {
            title: t('等待时长', 'Waited'),
            dataIndex: 'waitMs',
            render: (ms: number | null) => formatDuration(ms == null ? null : ms / 1000),
          },
          {
            title: t('已回拨次数', 'Attempts'),
            dataIndex: 'attempts',
            render: (n: number) => (n ? <Tag color="orange">{n}</Tag> : <Tag>{t('未回拨', 'none yet')}</Tag>),
          },
        ]}
      />
    </Card>
  );
}
