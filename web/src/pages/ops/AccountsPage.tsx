import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { type ApiError, del, get, patch, post } from '../../lib/api';
import { useSession } from '../../lib/session';
import { useT, type T } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { formItemFor } from './field-errors';

import type { Role } from '../../../../src/core/auth/access';
interface Account {
  username: string;
  displayName: string;
  role: Role;
  agentId: string | null;
  /** A liaison's department (GET /api/departments). */
  department: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}
interface ApiKey {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const roleNames = (t: T): Record<Role, string> => ({
  admin: t('管理员', 'Admin'),
  supervisor: t('班长', 'Supervisor'),
  agent: t('坐席', 'Agent'),
  readonly: t('只读', 'Read only'),
  editor: t('知识库编辑', 'KB editor'),
  liaison: t('联络员', 'Liaison'),
  quality: t('质检员', 'Quality reviewer'),
});
const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  supervisor: 'gold',
  agent: 'blue',
  readonly: 'default',
  editor: 'green',
  liaison: 'purple',
  quality: 'cyan',
};

/** 账号与密钥: people's sign-in accounts (role, agent link, disable, reset password) and tools' API keys. */
export default function AccountsPage() {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('账号与密钥', 'Accounts and API keys')}</Typography.Title>
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Accounts />
        <ApiKeys />
      </Space>
    </>
  );
}

function Accounts() {
  const t = useT();
  const { me } = useSession();
  const { message } = App.useApp();
  const [list, setList] = useState<Account[]>([]);
  const [loading, setLoading] = useState(true);
  const [showDisabled, setShowDisabled] = useState(false);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<{ mode: 'new' | 'edit' | 'password'; account?: Account }>();
  const roles = roleNames(t);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      // Newest first: the account just made is on the first page.
      setList((await get<Account[]>('/api/accounts')).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => void reload(), [reload]);

  const setDisabled = async (a: Account, disabled: boolean) => {
    try {
      if (disabled) await del(`/api/accounts/${a.username}`);
      else await patch(`/api/accounts/${a.username}`, { disabled: false });
      message.success(disabled ? t(`已停用 ${a.username}`, `${a.username} disabled`) : t(`已启用 ${a.username}`, `${a.username} enabled`));
      await reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  const q = search.trim().toLowerCase();
  const shown = list.filter(
    (a) => (showDisabled || !a.disabled) && (!q || a.username.includes(q) || a.displayName.toLowerCase().includes(q)),
  );
  return (
    <Card
      size="small"
      title={t('登录账号', 'Sign-in accounts')}
      extra={
        <Space>
          <Input.Search
            allowClear
            placeholder={t('用户名或显示名', 'User or display name')}
            onChange={(e) => setSearch(e.target.value)}
            style={{ width: 200 }}
          />
          <Space size={4}>
            <Switch size="small" checked={showDisabled} onChange={setShowDisabled} />
            <span>{t('显示已停用', 'Show disabled')}</span>
          </Space>
          <Button type="primary" onClick={() => setEditing({ mode: 'new' })} data-testid="add-account">
            {t('新增账号', 'Add account')}
          </Button>
        </Space>
      }
    >
      <Table
        rowKey="username"
        size="small"
        loading={loading}
        dataSource={shown}
        pagination={{ pageSize: 6, hideOnSinglePage: true, showSizeChanger: false }}
        onRow={(r) => ({ 'data-testid': `account-${r.username}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('用户名', 'User name'), dataIndex: 'username', width: 190, ellipsis: { showTitle: true } },
          { title: t('显示名', 'Display name'), dataIndex: 'displayName', width: 140, ellipsis: { showTitle: true } },
          { title: t('角色', 'Role'), dataIndex: 'role', width: 90, render: (r: Role) => <Tag color={ROLE_COLORS[r]}>{roles[r]}</Tag> },
          {
            title: t('工号 / 部门', 'Agent / department'),
            width: 110,
            ellipsis: { showTitle: true },
            render: (_: unknown, a: Account) => a.agentId ?? a.department ?? '—',
          },
          {
            title: t('状态', 'Status'),
            dataIndex: 'disabled',
            width: 80,
            render: (d: boolean) => (d ? <Tag>{t('已停用', 'Disabled')}</Tag> : <Tag color="green">{t('启用', 'Enabled')}</Tag>),
          },
          { title: t('更新时间', 'Updated'), dataIndex: 'updatedAt', width: 170, render: (v: string) => formatDateTime(v) },
          {
            title: t('操作', 'Actions'),
            key: 'actions',
            render: (_: unknown, a: Account) => (
              <Space size={4}>
                <Button size="small" onClick={() => setEditing({ mode: 'edit', account: a })}>
                  {t('编辑', 'Edit')}
                </Button>
                <Button size="small" onClick={() => setEditing({ mode: 'password', account: a })}>
                  {t('重置密码', 'Reset password')}
                </Button>
                {a.disabled ? (
                  <Button size="small" onClick={() => void setDisabled(a, false)}>
                    {t('启用', 'Enable')}
                  </Button>
                ) : (
                  <Popconfirm
                    title={t(`停用账号 ${a.username}？`, `Disable ${a.username}?`)}
                    description={t('其登录会话立即失效', 'Its sessions end at once')}
                    onConfirm={() => void setDisabled(a, true)}
                    disabled={a.username === me?.id}
                  >
                    <Button size="small" danger disabled={a.username === me?.id}>
                      {t('停用', 'Disable')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]}
      />
      {editing && (
        <AccountModal
          {...editing}
          onClose={() => setEditing(undefined)}
          onSaved={async () => {
            setEditing(undefined);
            await reload();
          }}
        />
      )}
    </Card>
  );
}

interface AccountForm {
  username: string;
  displayName: string;
  role: Role;
  agentId?: string;
  department?: string;
  password?: string;
}
const ACCOUNT_ITEMS = ['username', 'displayName', 'role', 'agentId', 'department', 'password'] as const;
interface Department {
  code: string;
  name: string;
  nameEn: string;
  active: boolean;
}

/** Create an account, change one (name, role, agent), or give it a new password. */
function AccountModal(p: { mode: 'new' | 'edit' | 'password'; account?: Account; onClose: () => void; onSaved: () => Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<AccountForm>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const role = Form.useWatch('role', form);
  const roles = roleNames(t);
  const a = p.account;
  const [departments, setDepartments] = useState<Department[]>([]);
  useEffect(() => {
    get<Department[]>('/api/departments').then(setDepartments, () => undefined);
  }, []);
  const submit = async (v: AccountForm) => {
    setBusy(true);
    setFormError(undefined);
    try {
      if (p.mode === 'new')
        await post('/api/accounts', {
          username: v.username,
          displayName: v.displayName,
          role: v.role,
          password: v.password,
          ...(v.role === 'agent' && v.agentId ? { agentId: v.agentId } : {}),
          ...(v.role === 'liaison' && v.department ? { department: v.department } : {}),
        });
      else if (p.mode === 'password') await patch(`/api/accounts/${a!.username}`, { password: v.password });
      else
        await patch(`/api/accounts/${a!.username}`, {
          displayName: v.displayName,
          role: v.role,
          agentId: v.role === 'agent' ? v.agentId || null : null,
          department: v.role === 'liaison' ? v.department || null : null,
        });
      message.success(t('已保存', 'Saved'));
      await p.onSaved();
    } catch (e) {
      const err = e as ApiError;
      const item = formItemFor(err.field, ACCOUNT_ITEMS);
      if (item) form.setFields([{ name: item, errors: [err.message] }]);
      else setFormError(err.message);
    } finally {
      setBusy(false);
    }
  };
  const title =
    p.mode === 'new'
      ? t('新增账号', 'Add account')
      : p.mode === 'password'
        ? t(`重置 ${a!.username} 的密码`, `Reset the password of ${a!.username}`)
        : t(`编辑账号 ${a!.username}`, `Edit ${a!.username}`);
  return (
    <Modal
      open
      title={title}
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
        initialValues={{
          username: a?.username ?? '',
          displayName: a?.displayName ?? '',
          role: a?.role ?? 'agent',
          agentId: a?.agentId ?? '',
          department: a?.department ?? undefined,
        }}
        data-testid="account-form"
      >
        {p.mode !== 'password' && (
          <>
            <Form.Item
              name="username"
              label={t('用户名', 'User name')}
              extra={
                p.mode === 'new'
                  ? t('小写字母、数字、点、下划线或连字符，2–40 位', 'Lower-case letters, digits, . _ -; 2 to 40')
                  : undefined
              }
              rules={[{ required: true, message: t('请输入用户名', 'Enter a user name') }]}
            >
              <Input disabled={p.mode !== 'new'} maxLength={40} autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="displayName"
              label={t('显示名', 'Display name')}
              rules={[{ required: true, message: t('请输入显示名', 'Enter a display name') }]}
            >
              <Input maxLength={64} />
            </Form.Item>
            <Form.Item name="role" label={t('角色', 'Role')}>
              <Select
                options={(['admin', 'supervisor', 'agent', 'readonly', 'editor', 'liaison', 'quality'] as const).map((r) => ({
                  value: r,
                  label: roles[r],
                }))}
                data-testid="account-role"
              />
            </Form.Item>
            {role === 'agent' && (
              <Form.Item
                name="agentId"
                label={t('对应坐席工号', 'Agent ID')}
                rules={[{ required: true, message: t('坐席账号需要对应的工号', 'An agent account needs its agent ID') }]}
              >
                <Input maxLength={6} />
              </Form.Item>
            )}
            {role === 'liaison' && (
              <Form.Item
                name="department"
                label={t('所属部门', 'Department')}
                extra={t('联络员只能看到并答复本部门的工单', 'A liaison sees and answers its own department’s work orders only')}
                rules={[{ required: true, message: t('联络员需要选择所属部门', 'A liaison needs its department') }]}
              >
                <Select
                  data-testid="account-department"
                  options={departments.filter((d) => d.active).map((d) => ({ value: d.code, label: t(d.name, d.nameEn) }))}
                />
              </Form.Item>
            )}
          </>
        )}
        {p.mode !== 'edit' && (
          <Form.Item
            name="password"
            label={p.mode === 'new' ? t('密码', 'Password') : t('新密码', 'New password')}
            extra={t('至少 10 位；保存后该账号的会话全部失效', 'At least 10 characters; its sessions end when saved')}
            rules={[{ required: true, message: t('请输入密码', 'Enter a password') }]}
          >
            <Input.Password autoComplete="new-password" maxLength={256} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ApiKeys() {
  const t = useT();
  const { message } = App.useApp();
  const [list, setList] = useState<ApiKey[]>([]);
  const [loading, setLoading] = useState(true);
  const [creating, setCreating] = useState(false);
  /** The secret just made: shown once, in its own dialog, gone when it closes. */
  const [secret, setSecret] = useState<{ key: string; name: string }>();
  const [showRevoked, setShowRevoked] = useState(false);
  const roles = roleNames(t);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setList((await get<ApiKey[]>('/api/api-keys')).sort((a, b) => b.createdAt.localeCompare(a.createdAt)));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => void reload(), [reload]);

  const revoke = async (k: ApiKey) => {
    try {
      await del(`/api/api-keys/${k.id}`);
      message.success(t(`已吊销密钥 ${k.name}`, `Key ${k.name} revoked`));
      await reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  return (
    <Card
      size="small"
      title={t('API 密钥（供外部工具调用）', 'API keys (for tools)')}
      extra={
        <Space>
          <Space size={4}>
            <Switch size="small" checked={showRevoked} onChange={setShowRevoked} />
            <span>{t('显示已吊销', 'Show revoked')}</span>
          </Space>
          <Button type="primary" onClick={() => setCreating(true)} data-testid="add-api-key">
            {t('新建密钥', 'New key')}
          </Button>
        </Space>
      }
    >
      <Table
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={list.filter((k) => showRevoked || !k.revokedAt)}
        pagination={{ pageSize: 5, hideOnSinglePage: true, showSizeChanger: false }}
        onRow={(r) => ({ 'data-testid': `api-key-${r.id}` }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('名称', 'Name'), dataIndex: 'name', width: 170, ellipsis: { showTitle: true } },
          { title: 'ID', dataIndex: 'id', width: 90, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t('角色', 'Role'), dataIndex: 'role', width: 90, render: (r: Role) => <Tag color={ROLE_COLORS[r]}>{roles[r]}</Tag> },
          { title: t('创建人', 'Created by'), dataIndex: 'createdBy', width: 150, ellipsis: { showTitle: true } },
          { title: t('创建时间', 'Created'), dataIndex: 'createdAt', width: 165, render: (v: string) => formatDateTime(v) },
          { title: t('最近使用', 'Last used'), dataIndex: 'lastUsedAt', width: 165, render: (v: string | null) => formatDateTime(v) },
          {
            title: t('状态', 'Status'),
            key: 'status',
            width: 90,
            render: (_: unknown, k: ApiKey) =>
              k.revokedAt ? (
                <Tag>{t('已吊销', 'Revoked')}</Tag>
              ) : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? (
                <Tag>{t('已过期', 'Expired')}</Tag>
              ) : (
                <Tag color="green">{t('有效', 'Valid')}</Tag>
              ),
          },
          {
            title: t('操作', 'Actions'),
            key: 'actions',
            render: (_: unknown, k: ApiKey) =>
              !k.revokedAt && (
                <Popconfirm title={t(`吊销密钥 ${k.name}？`, `Revoke ${k.name}?`)} onConfirm={() => void revoke(k)}>
                  <Button size="small" danger>
                    {t('吊销', 'Revoke')}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      {creating && (
        <ApiKeyModal
          onClose={() => setCreating(false)}
          onCreated={async (key, name) => {
            setCreating(false);
            setSecret({ key, name });
            await reload();
          }}
        />
      )}
      <Modal
        open={!!secret}
        title={t(`密钥“${secret?.name ?? ''}”已创建`, `Key "${secret?.name ?? ''}" created`)}
        onCancel={() => setSecret(undefined)}
        footer={
          <Button type="primary" onClick={() => setSecret(undefined)} data-testid="api-key-secret-done">
            {t('我已保存', 'I have saved it')}
          </Button>
        }
        destroyOnHidden
      >
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message={t(
            '密钥只显示这一次，关闭后无法再查看，请立即复制保存。',
            'The key is shown only now: copy it before closing this dialog.',
          )}
        />
        <Typography.Paragraph copyable={{ text: secret?.key }} code style={{ wordBreak: 'break-all' }} data-testid="api-key-secret">
          {secret?.key}
        </Typography.Paragraph>
      </Modal>
    </Card>
  );
}

function ApiKeyModal(p: { onClose: () => void; onCreated: (key: string, name: string) => Promise<void> }) {
  const t = useT();
  const [form] = Form.useForm<{ name: string; role: Role; expiresInDays?: number }>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const roles = roleNames(t);
  const submit = async (v: { name: string; role: Role; expiresInDays?: number }) => {
    setBusy(true);
    setFormError(undefined);
    try {
      const r = await post<{ key: string; apiKey: ApiKey }>('/api/api-keys', {
        name: v.name.trim(),
        role: v.role,
        ...(v.expiresInDays ? { expiresInDays: v.expiresInDays } : {}),
      });
      await p.onCreated(r.key, r.apiKey.name);
    } catch (e) {
      const err = e as ApiError;
      const item = formItemFor(err.field, ['name', 'role', 'expiresInDays'] as const);
      if (item) form.setFields([{ name: item, errors: [err.message] }]);
      else setFormError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('新建 API 密钥', 'New API key')}
      okText={t('创建', 'Create')}
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
        initialValues={{ role: 'readonly' }}
        data-testid="api-key-form"
      >
        <Form.Item
          name="name"
          label={t('名称（用途）', 'Name (what it is for)')}
          rules={[{ required: true, message: t('请输入名称', 'Enter a name') }]}
        >
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item
          name="role"
          label={t('角色', 'Role')}
          extra={t('密钥供工具使用，不能是坐席角色', 'Keys are for tools: not the agent role')}
        >
          <Select options={(['readonly', 'supervisor', 'admin'] as const).map((r) => ({ value: r, label: roles[r] }))} />
        </Form.Item>
        <Form.Item name="expiresInDays" label={t('有效天数（留空为不过期）', 'Valid for days (empty: no expiry)')}>
          <InputNumber min={1} max={3650} precision={0} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
