import { useCallback, useEffect, useMemo, useState } from 'react';
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { type ApiError, del, get, put } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { buildMatrix, cellsChanged, matchesAgent, skillsFromCells } from './skills-matrix';
import { formItemFor, skillOfField } from './field-errors';
import { loadRoutingCatalog, type RoutingCatalog } from './routing-catalog';

interface AgentView {
  agentId: string;
  name: string;
  skills: Record<string, number>;
  queues: string[];
  state: string;
  registered: boolean;
}

type Cells = Record<string, number | null>;
interface AgentForm {
  agentId: string;
  name: string;
  password?: string;
  queues: string[];
}

const FORM_ITEMS = ['agentId', 'name', 'password', 'queues'] as const;

/**
 * 坐席与技能: every agent with its level in each skill (edited in place, saved per agent), the
 * queues it serves, add, edit and deactivate. A phone's password is write-only: never shown.
 */
export default function AgentsPage() {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const [agents, setAgents] = useState<AgentView[]>([]);
  const [catalog, setCatalog] = useState<RoutingCatalog>();
  const [loading, setLoading] = useState(true);
  const [search, setSearch] = useState('');
  /** Cells edited but not yet saved, per agent. */
  const [edits, setEdits] = useState<Record<string, Cells>>({});
  /** The API's refusal of a row's save, at the skill it names (or the row). */
  const [rowErrors, setRowErrors] = useState<Record<string, { skill?: string; message: string }>>({});
  const [saving, setSaving] = useState<string>();
  const [editing, setEditing] = useState<AgentView | 'new'>();

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const [list, cat] = await Promise.all([get<AgentView[]>('/api/agents'), loadRoutingCatalog()]);
      setAgents(list);
      setCatalog(cat);
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => void reload(), [reload]);

  const matrix = useMemo(() => buildMatrix(agents, catalog?.skills ?? []), [agents, catalog]);
  const byId = useMemo(() => new Map(agents.map((a) => [a.agentId, a])), [agents]);
  const rows = matrix.rows.filter((r) => matchesAgent(r, search));

  const cellsOf = (id: string, saved: Cells): Cells => ({ ...saved, ...edits[id] });
  const setCell = (id: string, code: string, v: number | null) => {
    setEdits((e) => ({ ...e, [id]: { ...e[id], [code]: v } }));
    setRowErrors((r) => {
      const { [id]: _gone, ...rest } = r;
      return rest;
    });
  };

  const saveRow = async (id: string, saved: Cells) => {
    const a = byId.get(id);
    if (!a) return;
    setSaving(id);
    try {
      const updated = await put<AgentView>(`/api/agents/${id}`, {
        name: a.name,
        skills: skillsFromCells(cellsOf(id, saved)),
        queues: a.queues,
      });
      setAgents((list) => list.map((x) => (x.agentId === id ? updated : x)));
      setEdits(({ [id]: _done, ...rest }) => rest);
      message.success(t(`已保存坐席 ${id} 的技能`, `Saved the skills of agent ${id}`));
    } catch (e) {
      const err = e as ApiError;
      setRowErrors((r) => ({ ...r, [id]: { skill: skillOfField(err.field), message: err.message } }));
    } finally {
      setSaving(undefined);
    }
  };

  const deactivate = async (id: string) => {
    try {
      await del(`/api/agents/${id}`);
      message.success(t(`已停用坐席 ${id}`, `Agent ${id} deactivated`));
      await reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const columns: ColumnsType<(typeof matrix.rows)[number]> = [
    { title: t('工号', 'ID'), dataIndex: 'agentId', width: 84, fixed: 'left' },
    { title: t('姓名', 'Name'), dataIndex: 'name', width: 100, ellipsis: { showTitle: true } },
    ...matrix.columns.map((c) => ({
      key: `skill-${c.code}`,
      width: 68,
      align: 'center' as const,
      title: (
        <Tooltip title={`${c.code}${c.unknown ? t('（当前路由配置中没有此技能）', ' (not in the active routing configuration)') : ''}`}>
          <span style={{ color: c.unknown ? '#cf1322' : undefined, fontSize: 13 }}>{lang === 'zh' ? c.zh : (c.en ?? c.zh)}</span>
        </Tooltip>
      ),
      render: (_: unknown, r: (typeof matrix.rows)[number]) => {
        const err = rowErrors[r.agentId];
        const bad = err?.skill === c.code;
        // The API's refusal opens beside the cell it names, and closes when the cell is edited.
        return (
          <Tooltip
            open={bad}
            title={bad ? <span data-testid="field-error">{err.message}</span> : undefined}
            placement="bottom"
            color="#cf1322"
          >
            <InputNumber
              size="small"
              controls={false}
              precision={0}
              style={{ width: 48 }}
              status={bad ? 'error' : undefined}
              value={cellsOf(r.agentId, r.cells)[c.code] ?? null}
              onChange={(v) => setCell(r.agentId, c.code, v === null ? null : Number(v))}
              aria-label={`${r.agentId} ${c.code}`}
              data-testid={`cell-${r.agentId}-${c.code}`}
            />
          </Tooltip>
        );
      },
    })),
    {
      title: t('服务队列', 'Queues'),
      key: 'queues',
      width: 190,
      render: (_, r) => {
        const qs = byId.get(r.agentId)?.queues ?? [];
        if (!qs.length) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <Tooltip title={qs.join(', ')}>
            <span>
              {qs.slice(0, 2).map((q) => (
                <Tag key={q} style={{ marginInlineEnd: 4 }}>
                  {q}
                </Tag>
              ))}
              {qs.length > 2 && <Tag>+{qs.length - 2}</Tag>}
            </span>
          </Tooltip>
        );
      },
    },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      width: 196,
      fixed: 'right',
      render: (_, r) => {
        const a = byId.get(r.agentId);
        const changed = a ? cellsChanged(a.skills, cellsOf(r.agentId, r.cells)) : false;
        const err = rowErrors[r.agentId];
        return (
          <Space size={4} wrap>
            <Button
              size="small"
              type={changed ? 'primary' : 'default'}
              disabled={!changed}
              loading={saving === r.agentId}
              onClick={() => void saveRow(r.agentId, r.cells)}
              data-testid={`save-${r.agentId}`}
            >
              {t('保存', 'Save')}
            </Button>
            <Button size="small" onClick={() => a && setEditing(a)}>
              {t('编辑', 'Edit')}
            </Button>
            <Popconfirm
              title={t(`停用坐席 ${r.agentId}？`, `Deactivate agent ${r.agentId}?`)}
              description={t('签出并删除其话机注册；历史记录保留', 'Logs it out and removes its phone; history is kept')}
              onConfirm={() => void deactivate(r.agentId)}
            >
              <Button size="small" danger>
                {t('停用', 'Deactivate')}
              </Button>
            </Popconfirm>
            {err && !err.skill && (
              <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="field-error">
                {err.message}
              </Typography.Text>
            )}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <Typography.Title level={3}>{t('坐席与技能', 'Agents and skills')}</Typography.Title>
      <Card
        size="small"
        title={t('技能矩阵', 'Skills matrix')}
        extra={
          <Space>
            <Input.Search
              allowClear
              placeholder={t('工号或姓名', 'ID or name')}
              onChange={(e) => setSearch(e.target.value)}
              style={{ width: 200 }}
              data-testid="agent-search"
            />
            <Button type="primary" onClick={() => setEditing('new')} data-testid="add-agent">
              {t('新增坐席', 'Add agent')}
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }}>
          {t(
            '单元格为技能等级 1–5（5 最熟练），留空表示不具备该技能；修改后点该行的“保存”。',
            'A cell is the skill level 1–5 (5 is the most proficient); empty means none. Save each changed row.',
          )}
          {catalog &&
            t(` 技能与队列取自当前路由配置（第 ${catalog.version} 版）。`, ` Skills and queues from routing version ${catalog.version}.`)}
        </Typography.Paragraph>
        <Table
          rowKey="agentId"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 10, hideOnSinglePage: true, showSizeChanger: false }}
          onRow={(r) => ({ 'data-testid': `agent-row-${r.agentId}` }) as React.HTMLAttributes<HTMLElement>}
        />
      </Card>
      {editing && (
        <AgentModal
          agent={editing === 'new' ? undefined : editing}
          queues={catalog?.queues ?? []}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined);
            await reload();
          }}
        />
      )}
    </>
  );
}

/** Add an agent, or change its name, phone password (write-only) and queues. */
function AgentModal(p: { agent?: AgentView; queues: string[]; onClose: () => void; onSaved: () => Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<AgentForm>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const creating = !p.agent;
  const submit = async (v: AgentForm) => {
    setBusy(true);
    setFormError(undefined);
    try {
      const id = creating ? v.agentId.trim() : p.agent!.agentId;
      await put(`/api/agents/${id}`, {
        name: v.name,
        ...(v.password ? { password: v.password } : {}),
        skills: p.agent?.skills ?? {},
        queues: v.queues ?? [],
      });
      message.success(creating ? t(`已新增坐席 ${id}`, `Agent ${id} added`) : t(`已保存坐席 ${id}`, `Agent ${id} saved`));
      await p.onSaved();
    } catch (e) {
      const err = e as ApiError;
      const item = formItemFor(err.field, FORM_ITEMS, { id: 'agentId' });
      if (item) form.setFields([{ name: item, errors: [err.message] }]);
      else setFormError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={creating ? t('新增坐席', 'Add agent') : t(`编辑坐席 ${p.agent!.agentId}`, `Edit agent ${p.agent!.agentId}`)}
      okText={t('保存', 'Save')}
      cancelText={t('取消', 'Cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={p.onClose}
      destroyOnHidden
    >
      {formError && <Typography.Paragraph type="danger">{formError}</Typography.Paragraph>}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        initialValues={{ agentId: p.agent?.agentId ?? '', name: p.agent?.name ?? '', queues: p.agent?.queues ?? [] }}
        data-testid="agent-form"
      >
        <Form.Item
          name="agentId"
          label={t('工号（话机用户名）', 'Agent ID (SIP user name)')}
          extra={creating ? t('3–6 位数字', '3 to 6 digits') : undefined}
          rules={[{ required: true, message: t('请输入工号', 'Enter the agent ID') }]}
        >
          <Input disabled={!creating} maxLength={6} />
        </Form.Item>
        <Form.Item name="name" label={t('姓名', 'Name')} rules={[{ required: true, message: t('请输入姓名', 'Enter the name') }]}>
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('话机密码', 'Phone password')}
          extra={
            creating
              ? t('至少 8 位', 'At least 8 characters')
              : t('留空则不修改；已保存的密码不会显示', 'Leave empty to keep it; a stored password is never shown')
          }
          rules={creating ? [{ required: true, message: t('新坐席需要话机密码', 'A new agent needs a phone password') }] : []}
        >
          <Input.Password autoComplete="new-password" maxLength={128} />
        </Form.Item>
        <Form.Item name="queues" label={t('服务队列', 'Queues')}>
          <Select mode="multiple" allowClear options={p.queues.map((q) => ({ value: q, label: q }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
