import { useState } from 'react';
import { App, Button, Form, Input, Popconfirm, Select, Space, Table, Typography } from 'antd';
import { ApiError, del, post } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { HOLD_NOTE_MAX, HOLD_REASONS, holdRefProblem } from './recording-format';
import type { Hold, HoldReason, Recording } from './types';

/**
 * The holds keeping a recording past its retention (a complaint or work order needs it), and for
 * holders of recordings.hold the form to add one and the button to release one.
 */
export function HoldsPanel({ recording, editable, onChanged }: { recording: Recording; editable: boolean; onChanged: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [reason, setReason] = useState<HoldReason>('complaint');
  const [ref, setRef] = useState('');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'reason' | 'ref' | 'note' | 'form', string>>>({});
  const [saving, setSaving] = useState(false);

  const add = async () => {
    const p = holdRefProblem(ref);
    if (p) return setErrors({ ref: t(...p) });
    setSaving(true);
    try {
      await post(`/api/recordings/${encodeURIComponent(recording.id)}/holds`, {
        reason,
        ref: ref.trim(),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setRef('');
      setNote('');
      setErrors({});
      void message.success(t('已保全', 'Hold added'));
      onChanged();
    } catch (e) {
      const f = e instanceof ApiError ? e.field : undefined;
      const msg = (e as Error).message;
      setErrors(f === 'reason' || f === 'ref' || f === 'note' ? { [f]: msg } : { form: msg });
    } finally {
      setSaving(false);
    }
  };
  const release = async (h: Hold) => {
    try {
      await del(`/api/recordings/${encodeURIComponent(recording.id)}/holds/${encodeURIComponent(h.id)}`);
      void message.success(t('已解除保全', 'Hold released'));
      onChanged();
    } catch (e) {
      void message.error((e as Error).message);
    }
  };
  const at = (f: 'reason' | 'ref' | 'note') =>
    errors[f] ? { validateStatus: 'error' as const, help: <span data-testid={`hold-error-${f}`}>{errors[f]}</span> } : {};

  return (
    <div data-testid="holds">
      <Table<Hold>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={recording.holds}
        locale={{ emptyText: t('没有保全：到期后按保存期限删除', 'No holds: deleted when its retention ends') }}
        columns={[
          { title: t('原因', 'Reason'), dataIndex: 'reason', width: 70, render: (r: HoldReason) => t(...(HOLD_REASONS[r] ?? [r, r])) },
          { title: t('编号', 'Reference'), dataIndex: 'ref' },
          { title: t('备注', 'Note'), dataIndex: 'note', render: (n: string | null) => n ?? '—' },
          {
            title: t('保全人 / 时间', 'By / at'),
            render: (_: unknown, h) => (
              <>
                {h.createdBy}
                <br />
                <Typography.Text type="secondary">{formatDateTime(h.createdAt)}</Typography.Text>
              </>
            ),
          },
          ...(editable
            ? [
                {
                  title: '',
                  width: 64,
                  render: (_: unknown, h: Hold) => (
                    <Popconfirm
                      title={t('解除此保全？', 'Release this hold?')}
                      okText={t('解除', 'Release')}
                      cancelText={t('取消', 'Cancel')}
                      onConfirm={() => release(h)}
                    >
                      <Button size="small" danger data-testid={`hold-release-${h.ref}`}>
                        {t('解除', 'Release')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      {editable && !recording.deletedAt ? (
        <Form layout="vertical" style={{ marginTop: 12 }} onFinish={() => void add()}>
          <Space align="start" wrap>
            <Form.Item label={t('原因', 'Reason')} {...at('reason')}>
              <Select<HoldReason>
                style={{ width: 100 }}
                value={reason}
                onChange={setReason}
                data-testid="hold-reason"
                options={(Object.keys(HOLD_REASONS) as HoldReason[]).map((r) => ({ value: r, label: t(...HOLD_REASONS[r]) }))}
              />
            </Form.Item>
            <Form.Item label={t('投诉编号 / 工单号', 'Complaint no. / work order')} {...at('ref')}>
              <Input style={{ width: 180 }} maxLength={64} value={ref} onChange={(e) => setRef(e.target.value)} data-testid="hold-ref" />
            </Form.Item>
            <Form.Item label={t('备注（可选）', 'Note (optional)')} {...at('note')}>
              <Input
                style={{ width: 200 }}
                maxLength={HOLD_NOTE_MAX}
                value={note}
                onChange={(e) => setNote(e.target.value)}
                data-testid="hold-note"
              />
            </Form.Item>
            <Form.Item label=" ">
              <Button type="primary" htmlType="submit" loading={saving} data-testid="hold-add">
                {t('添加保全', 'Add hold')}
              </Button>
            </Form.Item>
          </Space>
          {errors.form ? <Typography.Text type="danger">{errors.form}</Typography.Text> : null}
        </Form>
      ) : null}
    </div>
  );
}
