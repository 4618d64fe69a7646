import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Col, DatePicker, Form, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { get, query } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { auditParams, changedKeys, prettyJson, type AuditFilters } from './audit-query';
import { AUDIT_ACTIONS, AUDIT_AREAS, TARGET_KINDS } from './audit-actions';

interface Entry {
  id: string;
  at: string;
  actor: string;
  actorRole: string;
  via: string;
  action: string;
  targetKind: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip?: string;
}

const PAGE = 20;
interface FilterForm {
  actor?: string;
  action?: string;
  targetKind?: string;
  targetId?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

/** 审计日志: who changed what and when, newest first, filtered and paged; each row opens to its before and after. */
export default function AuditPage() {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<FilterForm>();
  const [filters, setFilters] = useState<AuditFilters>({});
  /** Cursors of the pages before this one (paging is by "older than entry id"). */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const beforeId = cursors[cursors.length - 1];

  const load = useCallback(async () => {
    setLoading(true);
    try {
      // One more than a page: whether an older page exists.
      const rows = await get<Entry[]>(`/api/audit${query(auditParams(filters, { beforeId, limit: PAGE + 1 }))}`);
      setMore(rows.length > PAGE);
      setEntries(rows.slice(0, PAGE));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [filters, beforeId, message]);
  useEffect(() => void load(), [load]);

  const apply = (v: FilterForm) => {
    const wall = (d: Dayjs | null | undefined) => d?.format('YYYY-MM-DD HH:mm:ss');
    setFilters({
      actor: v.actor,
      action: v.action,
      targetKind: v.targetKind,
      targetId: v.targetId,
      from: wall(v.range?.[0]),
      to: wall(v.range?.[1]),
    });
    setCursors([undefined]);
  };

  const actionOptions = [
    { label: t('按类别', 'By area'), options: Object.entries(AUDIT_AREAS).map(([v, l]) => ({ value: v, label: t(...l) })) },
    { label: t('具体动作', 'Actions'), options: Object.entries(AUDIT_ACTIONS).map(([v, l]) => ({ value: v, label: `${t(...l)} · ${v}` })) },
  ];

  return (
    <>
      <Typography.Title level={3}>{t('审计日志', 'Audit log')}</Typography.Title>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Form form={form} layout="vertical" onFinish={apply} data-testid="audit-filters">
          <Row gutter={12}>
            <Col span={4}>
              <Form.Item name="actor" label={t('操作人', 'Actor')} style={{ marginBottom: 8 }}>
                <Input allowClear placeholder={t('用户名或密钥 ID', 'User or key ID')} data-testid="filter-actor" />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item name="action" label={t('动作', 'Action')} style={{ marginBottom: 8 }}>
                <Select allowClear showSearch options={actionOptions} placeholder={t('全部', 'All')} data-testid="filter-action" />
              </Form.Item>
            </Col>
            <Col span={3}>
              <Form.Item name="targetKind" label={t('对象类型', 'Target kind')} style={{ marginBottom: 8 }}>
                <Select
                  allowClear
                  placeholder={t('全部', 'All')}
                  options={Object.entries(TARGET_KINDS).map(([v, l]) => ({ value: v, label: t(...l) }))}
                />
              </Form.Item>
            </Col>
            <Col span={3}>
              <Form.Item name="targetId" label={t('对象', 'Target')} style={{ marginBottom: 8 }}>
                <Input allowClear placeholder={t('工号、代码…', 'ID, code…')} data-testid="filter-target" />
              </Form.Item>
            </Col>
            <Col span={9}>
              <Form.Item name="range" label={t('时间（北京时间）', 'Time (Beijing)')} style={{ marginBottom: 8 }}>
                <DatePicker.RangePicker showTime allowEmpty={[true, true]} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
          <Space>
            <Button type="primary" htmlType="submit" data-testid="audit-search">
              {t('查询', 'Search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                apply({});
              }}
            >
              {t('重置', 'Reset')}
            </Button>
          </Space>
        </Form>
      </Card>
      <Card size="small">
        <Table
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={entries}
          pagination={false}
          onRow={(r) => ({ 'data-testid': 'audit-row', 'data-action': r.action }) as React.HTMLAttributes<HTMLElement>}
          expandable={{
            expandedRowRender: (r) => (
              <Row gutter={16} data-testid="audit-detail">
                {(
                  [
                    [t('修改前', 'Before'), r.before],
                    [t('修改后', 'After'), r.after],
                  ] as const
                ).map(([label, v]) => (
                  <Col span={12} key={label}>
                    <Typography.Text strong>{label}</Typography.Text>
                    <pre style={{ background: '#fafafa', padding: 8, margin: '4px 0 0', maxHeight: 320, overflow: 'auto', fontSize: 12 }}>
                      {prettyJson(v)}
                    </pre>
                  </Col>
                ))}
              </Row>
            ),
          }}
          columns={[
            { title: t('时间', 'Time'), dataIndex: 'at', width: 170, render: (v: string) => formatDateTime(v) },
            {
              title: t('操作人', 'Actor'),
              key: 'actor',
              width: 200,
              ellipsis: { showTitle: true },
              render: (_: unknown, r: Entry) => `${r.actor} (${r.actorRole})`,
            },
            {
              title: t('动作', 'Action'),
              dataIndex: 'action',
              width: 210,
              render: (a: string) => {
                const l = AUDIT_ACTIONS[a];
                return (
                  <Space size={4}>
                    <span>{l ? t(...l) : a}</span>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {a}
                    </Typography.Text>
                  </Space>
                );
              },
            },
            {
              title: t('对象', 'Target'),
              key: 'target',
              width: 190,
              ellipsis: { showTitle: true },
              render: (_: unknown, r: Entry) => {
                const k = TARGET_KINDS[r.targetKind];
                return `${k ? t(...k) : r.targetKind} ${r.targetId ?? ''}`;
              },
            },
            {
              title: t('变化', 'Changed'),
              key: 'changed',
              ellipsis: { showTitle: true },
              render: (_: unknown, r: Entry) => {
                if (r.before == null && r.after != null) return <Tag color="green">{t('新建', 'created')}</Tag>;
                if (r.before != null && r.after == null) return <Tag>{t('删除/停用', 'removed')}</Tag>;
                const keys = changedKeys(r.before, r.after);
                return keys.length ? keys.join(', ') : '—';
              },
            },
            { title: t('来源', 'Via'), dataIndex: 'via', width: 90 },
          ]}
        />
        <Space style={{ marginTop: 12, width: '100%', justifyContent: 'flex-end' }}>
          <Typography.Text type="secondary">{t(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
          <Button disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))} data-testid="audit-newer">
            {t('上一页（较新）', 'Newer')}
          </Button>
          <Button disabled={!more} onClick={() => setCursors((c) => [...c, entries[entries.length - 1]?.id])} data-testid="audit-older">
            {t('下一页（较早）', 'Older')}
          </Button>
        </Space>
      </Card>
    </>
  );
}
