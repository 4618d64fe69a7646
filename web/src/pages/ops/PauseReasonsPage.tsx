import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { type ApiError, del, get, patch, post } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { formItemFor } from './field-errors';

interface PauseReason {
  code: string;
  zh: string;
  en: string;
  builtin: boolean;
  createdAt: string;
}

const FORM_ITEMS = ['code', 'zh', 'en'] as const;

/** 示忙原因: the reasons an agent may pause for; built-in ones (phone codes use them) cannot be retired. */
export default function PauseReasonsPage() {
  const t = useT();
  const { message } = App.useApp();
  const [reasons, setReasons] = useState<PauseReason[]>([]);
  const [loading, setLoading] = useState(true);
  const [editing, setEditing] = useState<PauseReason | 'new'>();

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setReasons(await get<PauseReason[]>('/api/pause-reasons'));
    } catch (e) {
      message.error((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => void reload(), [reload]);

  const retire = async (code: string) => {
    try {
      await del(`/api/pause-reasons/${code}`);
      message.success(t(`已停用示忙原因 ${code}`, `Pause reason ${code} retired`));
      await reload();
    } catch (e) {
      message.error((e as Error).message);
    }
  };

  return (
    <>
      <Typography.Title level={3}>{t('示忙原因', 'Pause reasons')}</Typography.Title>
      <Card
        size="small"
        title={t('坐席示忙时可选的原因', 'Reasons an agent may pause for')}
        extra={
          <Button type="primary" onClick={() => setEditing('new')} data-testid="add-pause-reason">
            {t('新增原因', 'Add reason')}
          </Button>
        }
      >
        <Table
          rowKey="code"
          size="small"
          loading={loading}
          dataSource={reasons}
          pagination={{ pageSize: 12, hideOnSinglePage: true, showSizeChanger: false }}
          onRow={(r) => ({ 'data-testid': `pause-reason-${r.code}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('代码', 'Code'), dataIndex: 'code', width: 180, render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
            { title: t('中文名称', 'Chinese'), dataIndex: 'zh', width: 200 },
            { title: t('英文名称', 'English'), dataIndex: 'en', width: 220 },
            {
              title: t('类型', 'Kind'),
              dataIndex: 'builtin',
              width: 100,
              render: (b: boolean) => (b ? <Tag color="blue">{t('内置', 'Built in')}</Tag> : <Tag>{t('自定义', 'Custom')}</Tag>),
            },
            { title: t('创建时间', 'Created'), dataIndex: 'createdAt', width: 180, render: (v: string) => formatDateTime(v) },
            {
              title: t('操作', 'Actions'),
              key: 'actions',
              render: (_: unknown, r: PauseReason) => (
                <Space size={4}>
                  <Button size="small" onClick={() => setEditing(r)}>
                    {t('编辑', 'Edit')}
                  </Button>
                  <Popconfirm
                    title={t(`停用“${r.zh}”？`, `Retire "${r.en}"?`)}
                    description={t('过去的示忙记录仍保留此原因，但坐席不能再选择', 'Past pauses keep it; agents can no longer choose it')}
                    onConfirm={() => void retire(r.code)}
                    disabled={r.builtin}
                  >
                    <Button
                      size="small"
                      danger
                      disabled={r.builtin}
                      title={r.builtin ? t('内置原因不能停用', 'Built-in reasons cannot be retired') : undefined}
                    >
                      {t('停用', 'Retire')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing && (
        <ReasonModal
          reason={editing === 'new' ? undefined : editing}
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

function ReasonModal(p: { reason?: PauseReason; onClose: () => void; onSaved: () => Promise<void> }) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; zh: string; en: string }>();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string>();
  const creating = !p.reason;
  const submit = async (v: { code: string; zh: string; en: string }) => {
    setBusy(true);
    setFormError(undefined);
    try {
      if (creating) await post('/api/pause-reasons', { code: v.code.trim(), zh: v.zh.trim(), en: v.en.trim() });
      else await patch(`/api/pause-reasons/${p.reason!.code}`, { zh: v.zh.trim(), en: v.en.trim() });
      message.success(t('已保存', 'Saved'));
      await p.onSaved();
    } catch (e) {
      const err = e as ApiError;
      const item = formItemFor(err.field, FORM_ITEMS);
      if (item) form.setFields([{ name: item, errors: [err.message] }]);
      else setFormError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={creating ? t('新增示忙原因', 'Add pause reason') : t(`编辑示忙原因 ${p.reason!.code}`, `Edit pause reason ${p.reason!.code}`)}
      okText={t('保存', 'Save')}
      cancelText={t('取消', 'Cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={p.onClose}
      destroyOnHidden
    >
      {formError && <Typography.Paragraph type="danger">{formError}</Typography.Paragraph>}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={submit} initialValues={p.reason ?? { code: '', zh: '', en: '' }}>
        <Form.Item
          name="code"
          label={t('代码', 'Code')}
          extra={t(
            '小写字母和下划线，如 training；创建后不可修改',
            'Lower-case letters and underscores, e.g. training; fixed once created',
          )}
          rules={[{ required: true, message: t('请输入代码', 'Enter a code') }]}
        >
          <Input disabled={!creating} maxLength={40} />
        </Form.Item>
        <Form.Item
          name="zh"
          label={t('中文名称', 'Chinese name')}
          rules={[{ required: true, message: t('请输入中文名称', 'Enter the Chinese name') }]}
        >
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item
          name="en"
          label={t('英文名称', 'English name')}
          rules={[{ required: true, message: t('请输入英文名称', 'Enter the English name') }]}
        >
          <Input maxLength={80} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
