import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { ApiError, get, post, query } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { beijingDay, formatDateTime } from '../../lib/time';
import type { WorkOrderStatus, WorkOrderType } from '../../../../src/core/workorders/model';
import {
  actionsFor,
  departmentName,
  formatDue,
  formatSpan,
  principalOf,
  STATUS_COLORS,
  STATUS_NAMES,
  STEP_NAMES,
  TYPE_COLORS,
  TYPE_NAMES,
  type Department,
  type StepView,
  type WorkOrderView,
} from './workorder-format';

interface Figures {
  department: string | null;
  name: string | null;
  nameEn: string | null;
  open: number;
  overdue: number;
  replied: number;
  medianReplyS: number | null;
}

/**
 * 工单: the orders this account may see (the API filters them: a liaison its department's, never a
 * complaint about staff), with filters, an order's steps in a drawer and the actions the principal
 * may take there; supervisors also see a summary per department over the last 30 days.
 */
export default function WorkOrders() {
  const t = useT();
  const { lang } = useLang();
  const { me, can } = useSession();
  const [departments, setDepartments] = useState<Department[]>([]);
  const [orders, setOrders] = useState<WorkOrderView[]>([]);
  const [loading, setLoading] = useState(true);
  const [filter, setFilter] = useState<{ status?: WorkOrderStatus; type?: WorkOrderType; department?: string; overdue?: boolean }>({});
  const [open, setOpen] = useState<string>();
  const [figures, setFigures] = useState<Figures[]>();
  const manage = can('workorders.manage');
  const liaison = me?.role === 'liaison';

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setOrders(
        await get<WorkOrderView[]>(`/api/workorders${query({ ...filter, overdue: filter.overdue ? 'true' : undefined, limit: 500 })}`),
      );
    } finally {
      setLoading(false);
    }
    if (manage && can('reports')) {
      const to = beijingDay();
      const from = beijingDay(Date.now() - 29 * 86_400_000);
      get<Figures[]>(`/api/reports/workorders${query({ from, to })}`).then(setFigures, () => undefined);
    }
  }, [filter, manage, can]);

  useEffect(() => {
    get<Department[]>('/api/departments').then(setDepartments, () => undefined);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const dept = (code: string | null) => departmentName(departments, code, lang);
  const title = liaison
    ? t(`本部门工单 · ${dept(me?.department ?? null)}`, `My department’s work orders · ${dept(me?.department ?? null)}`)
    : t('工单', 'Work orders');

  return (
    <div data-testid="workorders-page">
      <Typography.Title level={3}>{title}</Typography.Title>
      <Card
        size="small"
        title={
          <Space wrap>
            <Select
              allowClear
              placeholder={t('状态', 'Status')}
              style={{ width: 120 }}
              value={filter.status}
              onChange={(v) => setFilter((f) => ({ ...f, status: v }))}
              options={(Object.keys(STATUS_NAMES) as WorkOrderStatus[]).map((s) => ({ value: s, label: t(...STATUS_NAMES[s]) }))}
              data-testid="filter-status"
            />
            <Select
              allowClear
              placeholder={t('类型', 'Type')}
              style={{ width: 110 }}
              value={filter.type}
              onChange={(v) => setFilter((f) => ({ ...f, type: v }))}
              options={(Object.keys(TYPE_NAMES) as WorkOrderType[]).map((x) => ({ value: x, label: t(...TYPE_NAMES[x]) }))}
            />
            {!liaison && (
              <Select
                allowClear
                placeholder={t('部门', 'Department')}
                style={{ width: 210 }}
                value={filter.department}
                onChange={(v) => setFilter((f) => ({ ...f, department: v }))}
                options={departments.map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))}
              />
            )}
            <Space size={4}>
              <Switch size="small" checked={!!filter.overdue} onChange={(v) => setFilter((f) => ({ ...f, overdue: v }))} />
              <Typography.Text>{t('仅超时', 'Overdue only')}</Typography.Text>
            </Space>
            <Button onClick={() => void reload()}>{t('刷新', 'Refresh')}</Button>
          </Space>
        }
      >
        <Table
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={orders}
          pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
          locale={{ emptyText: t('没有工单', 'No work orders') }}
          onRow={(o) => ({ 'data-testid': `order-${o.id}`, 'data-title': o.title }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: t('标题', 'Title'),
              dataIndex: 'title',
              ellipsis: { showTitle: true },
              render: (v: string, o: WorkOrderView) => (
                <Typography.Link onClick={() => setOpen(o.id)} data-testid="order-open">
                  {v}
                </Typography.Link>
              ),
            },
            {
              title: t('类型', 'Type'),
              width: 130,
              render: (_: unknown, o: WorkOrderView) => (
                <Space size={2}>
                  <Tag color={TYPE_COLORS[o.type]}>{t(...TYPE_NAMES[o.type])}</Tag>
                  {o.aboutStaff && <Tag color="red">{t('涉及人员', 'Staff')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('状态', 'Status'),
              width: 150,
              render: (_: unknown, o: WorkOrderView) => (
                <Space size={2}>
                  <Tag color={STATUS_COLORS[o.status]} data-testid="order-status">
                    {t(...STATUS_NAMES[o.status])}
                  </Tag>
                  {o.escalatedAt && <Tag color="red">{t('已升级', 'Escalated')}</Tag>}
                </Space>
              ),
            },
            ...(liaison
              ? []
              : [
                  {
                    title: t('部门', 'Department'),
                    width: 190,
                    ellipsis: true,
                    render: (_: unknown, o: WorkOrderView) => dept(o.department),
                  },
                ]),
            { title: t('来电号码', 'Caller'), dataIndex: 'caller', width: 130 },
            { title: t('创建时间', 'Created'), dataIndex: 'createdAt', width: 165, render: (v: string) => formatDateTime(v) },
            {
              title: t('到期时间', 'Due'),
              dataIndex: 'dueAt',
              width: 165,
              render: (v: string, o: WorkOrderView) => (
                <Typography.Text type={o.overdue ? 'danger' : undefined} strong={o.overdue} data-overdue={o.overdue}>
                  {formatDue(v, formatDateTime)}
                </Typography.Text>
              ),
            },
          ]}
        />
      </Card>
      {figures && <DepartmentSummary figures={figures} />}
      {open && me && (
        <OrderDrawer
          id={open}
          departments={departments}
          principal={principalOf(me)}
          onClose={() => setOpen(undefined)}
          onChanged={() => void reload()}
        />
      )}
    </div>
  );
}

function DepartmentSummary({ figures }: { figures: Figures[] }) {
  const t = useT();
  const { lang } = useLang();
  return (
    <Card size="small" title={t('各部门工单（近30天创建）', 'Per department (created in the last 30 days)')} style={{ marginTop: 16 }}>
      <Table
        rowKey={(f) => f.department ?? '-'}
        size="small"
        pagination={false}
        dataSource={figures}
        data-testid="workorder-summary"
        columns={[
          {
            title: t('部门', 'Department'),
            render: (_: unknown, f: Figures) => (f.department ? (lang === 'zh' ? f.name : f.nameEn) : t('待分派', 'Not assigned')),
          },
          { title: t('未办结', 'Open'), dataIndex: 'open', width: 90 },
          {
            title: t('超时', 'Overdue'),
            dataIndex: 'overdue',
            width: 90,
            render: (v: number) => <Typography.Text type={v ? 'danger' : undefined}>{v}</Typography.Text>,
          },
          { title: t('已答复', 'Replied'), dataIndex: 'replied', width: 90 },
          {
            title: t('答复用时中位数', 'Median time to reply'),
            dataIndex: 'medianReplyS',
            width: 160,
            render: (v: number | null) => formatSpan(v, lang),
          },
        ]}
      />
    </Card>
  );
}

type ActionKind = 'assign' | 'reply' | 'replyCaller' | 'close' | 'reopen';

function OrderDrawer(p: {
  id: string;
  departments: Department[];
  principal: ReturnType<typeof principalOf>;
  onClose: () => void;
  onChanged: () => void;
}) {
  const t = useT();
  const { lang } = useLang();
  const [detail, setDetail] = useState<{ order: WorkOrderView; steps: StepView[] }>();
  const [error, setError] = useState<string>();
  const [acting, setActing] = useState<ActionKind>();
  const load = useCallback(async () => {
    try {
      setDetail(await get<{ order: WorkOrderView; steps: StepView[] }>(`/api/workorders/${p.id}`));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }, [p.id]);
  useEffect(() => {
    void load();
  }, [load]);
  const o = detail?.order;
  const can = useMemo(() => (o ? actionsFor(p.principal, o) : undefined), [o, p.principal]);
  const dept = (code: string | null) => departmentName(p.departments, code, lang);
  const buttons: [ActionKind, string, boolean | undefined][] = [
    ['assign', o?.department ? t('改派', 'Reassign') : t('分派', 'Assign'), can?.assign],
    ['reply', t('部门答复', 'Department reply'), can?.reply],
    ['replyCaller', t('回复来电人', 'Answer the caller'), can?.replyCaller],
    ['close', t('办结', 'Close'), can?.close],
    ['reopen', t('重开', 'Reopen'), can?.reopen],
  ];

  return (
    <Drawer open width={600} onClose={p.onClose} title={o ? o.title : t('工单', 'Work order')} data-testid="order-drawer" destroyOnHidden>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      {o && (
        <>
          <Space wrap style={{ marginBottom: 12 }}>
            {buttons
              .filter(([, , ok]) => ok)
              .map(([kind, label]) => (
                <Button
                  key={kind}
                  type={kind === 'reply' || kind === 'close' ? 'primary' : 'default'}
                  onClick={() => setActing(kind)}
                  data-testid={`act-${kind}`}
                >
                  {label}
                </Button>
              ))}
          </Space>
          <Descriptions column={2} size="small" bordered styles={{ label: { whiteSpace: 'nowrap' } }}>
            <Descriptions.Item label={t('类型', 'Type')}>
              <Tag color={TYPE_COLORS[o.type]}>{t(...TYPE_NAMES[o.type])}</Tag>
              {o.aboutStaff && <Tag color="red">{t('涉及人员', 'Staff')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('状态', 'Status')}>
              <Tag color={STATUS_COLORS[o.status]} data-testid="drawer-status">
                {t(...STATUS_NAMES[o.status])}
              </Tag>
              {o.escalatedAt && <Tag color="red">{t('已升级', 'Escalated')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('部门', 'Department')} span={2}>
              {dept(o.department)}
            </Descriptions.Item>
            <Descriptions.Item label={t('来电号码', 'Caller')}>{o.caller}</Descriptions.Item>
            <Descriptions.Item label={t('队列', 'Queue')}>{o.queue ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('创建', 'Created')}>{formatDateTime(o.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('到期', 'Due')}>
              <Typography.Text type={o.overdue ? 'danger' : undefined} strong={o.overdue}>
                {formatDue(o.dueAt, formatDateTime)}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('内容', 'Content')}
          </Typography.Title>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{o.content || '—'}</Typography.Paragraph>
          <Typography.Title level={5}>{t('办理过程', 'Steps')}</Typography.Title>
          <Timeline
            data-testid="order-steps"
            items={detail.steps.map((s) => ({
              color: s.kind === 'escalated' ? 'red' : s.kind === 'reminded' ? 'orange' : s.kind === 'closed' ? 'gray' : 'blue',
              children: (
                <div data-step={s.kind}>
                  <Typography.Text strong>{t(...(STEP_NAMES[s.kind] ?? [s.kind, s.kind]))}</Typography.Text>{' '}
                  <Typography.Text type="secondary">
                    {formatDateTime(s.at)} · {s.actor === 'system' ? t('系统', 'system') : s.actor}
                    {s.department ? ` · ${dept(s.department)}` : ''}
                  </Typography.Text>
                  {s.note ? (
                    <div style={{ whiteSpace: 'pre-wrap' }}>{s.note}</div>
                  ) : (
                    // A reply to the caller without a note is a callback (a note reply always has one).
                    s.kind === 'caller_replied' && <div>{t('已安排回电', 'Callback scheduled')}</div>
                  )}
                </div>
              ),
            }))}
          />
        </>
      )}
      {acting && o && (
        <ActionModal
          kind={acting}
          order={o}
          departments={p.departments}
          onClose={() => setActing(undefined)}
          onDone={async () => {
            setActing(undefined);
            await load();
            p.onChanged();
          }}
        />
      )}
    </Drawer>
  );
}

function ActionModal(p: {
  kind: ActionKind;
  order: WorkOrderView;
  departments: Department[];
  onClose: () => void;
  onDone: () => Promise<void>;
}) {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ department?: string; note?: string; via?: 'callback' | 'note' }>();
  const [busy, setBusy] = useState(false);
  const via = Form.useWatch('via', form);
  const titles: Record<ActionKind, string> = {
    assign: t('分派到部门', 'Assign to a department'),
    reply: t('部门答复', 'Department reply'),
    replyCaller: t('回复来电人', 'Answer the caller'),
    close: t('办结工单', 'Close the order'),
    reopen: t('重开工单', 'Reopen the order'),
  };
  const submit = async (v: { department?: string; note?: string; via?: 'callback' | 'note' }) => {
    setBusy(true);
    const id = p.order.id;
    try {
      if (p.kind === 'assign')
        await post(`/api/workorders/${id}/assign`, { department: v.department, ...(v.note ? { note: v.note } : {}) });
      if (p.kind === 'reply') await post(`/api/workorders/${id}/reply`, { note: v.note });
      if (p.kind === 'replyCaller')
        await post(`/api/workorders/${id}/reply-caller`, v.via === 'callback' ? { via: 'callback' } : { via: 'note', note: v.note });
      if (p.kind === 'close') await post(`/api/workorders/${id}/close`, v.note ? { note: v.note } : {});
      if (p.kind === 'reopen') await post(`/api/workorders/${id}/reopen`, { reason: v.note });
      message.success(t('已保存', 'Saved'));
      await p.onDone();
    } catch (e) {
      const err = e as ApiError;
      const name = err.field === 'department' ? 'department' : err.field === 'via' ? 'via' : 'note';
      form.setFields([{ name, errors: [err.message] }]);
    } finally {
      setBusy(false);
    }
  };
  const noteRequired = p.kind === 'reply' || p.kind === 'reopen' || (p.kind === 'replyCaller' && via !== 'callback');
  const canCallBack = !!p.order.callId;
  return (
    <Modal
      open
      title={titles[p.kind]}
      okText={t('确定', 'OK')}
      cancelText={t('取消', 'Cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={p.onClose}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        initialValues={{ department: p.order.department ?? undefined, via: canCallBack ? 'callback' : 'note' }}
        data-testid="action-form"
      >
        {p.kind === 'assign' && (
          <Form.Item
            name="department"
            label={t('部门', 'Department')}
            rules={[{ required: true, message: t('请选择部门', 'Choose a department') }]}
          >
            <Select
              data-testid="action-department"
              options={p.departments.filter((d) => d.active).map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))}
            />
          </Form.Item>
        )}
        {p.kind === 'replyCaller' && (
          <Form.Item name="via" label={t('回复方式', 'How')}>
            <Radio.Group>
              <Radio value="callback" disabled={!canCallBack}>
                {t('回拨来电人（进入原队列）', 'Call the caller back (into the original queue)')}
              </Radio>
              <Radio value="note">{t('已答复，记录说明', 'Already answered: note it')}</Radio>
            </Radio.Group>
          </Form.Item>
        )}
        {!(p.kind === 'replyCaller' && via === 'callback') && (
          <Form.Item
            name="note"
            label={p.kind === 'reopen' ? t('重开原因', 'Reason') : p.kind === 'reply' ? t('答复内容', 'Reply') : t('说明', 'Note')}
            rules={noteRequired ? [{ required: true, message: t('请填写', 'Required') }] : []}
          >
            <Input.TextArea rows={4} maxLength={2000} showCount data-testid="action-note" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
