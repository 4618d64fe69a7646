import { useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Select, Switch, Typography } from 'antd';
import { type ApiError, get, post } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import type { WorkOrderType } from '../../../../src/core/workorders/model';
import { summaryLine } from '../../../../src/core/summaries/rules';
import { prefillContent, TYPE_NAMES, type Department } from '../workorders/workorder-format';

interface Call {
  callId: string;
  caller: string;
  summary?: string | null;
}

/** The part of GET /api/calls/:callId/summary the prefill reads (src/features/summaries/routes.ts). */
interface SummaryView {
  summary: null | { categoryPath: string[]; question: string };
}

interface Fields {
  type: WorkOrderType;
  aboutStaff?: boolean;
  department?: string;
  title: string;
  content?: string;
}
const ITEMS = ['type', 'aboutStaff', 'department', 'title', 'content'];

/**
 * "创建工单" on the agent desktop: an order from the call on screen, or the last one (the pop goes
 * once the call is over). The server takes the caller from the call itself; the content starts
 * with the caller and the call's summary, read when the form opens (saved at wrap-up, before the order).
 */
export default function CreateWorkOrder({ call }: { call: Call | undefined }) {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const [last, setLast] = useState<Call>();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [departments, setDepartments] = useState<Department[]>([]);
  // The call's saved summary, read when the form opens: the pop carries none for the call on screen.
  const [summary, setSummary] = useState<string | null>(null);
  const [form] = Form.useForm<Fields>();
  const type = Form.useWatch('type', form);
  useEffect(() => {
    if (call) setLast(call);
  }, [call]);
  const target = call ?? last;

  const show = async () => {
    if (!target) return;
    let line = target.summary ?? null;
    if (!line) {
      const v = await get<SummaryView>(`/api/calls/${encodeURIComponent(target.callId)}/summary`).catch(() => undefined);
      line = v?.summary ? summaryLine(v.summary.categoryPath, v.summary.question) : null;
    }
    // Before the form shows: a department list that fills in under an open dropdown can take a click
    // meant for one option (a flaky browser test picked nothing that way).
    if (!departments.length) await get<Department[]>('/api/departments').then(setDepartments, () => undefined);
    setSummary(line);
    setOpen(true);
  };
  const submit = async (v: Fields) => {
    if (!target) return;
    setBusy(true);
    try {
      await post('/api/workorders', {
        type: v.type,
        ...(v.type === 'complaint' && v.aboutStaff ? { aboutStaff: true } : {}),
        title: v.title,
        content: v.content ?? '',
        callId: target.callId,
        ...(v.department ? { department: v.department } : {}),
      });
      message.success(t('工单已创建', 'Work order created'));
      setOpen(false);
    } catch (e) {
      const err = e as ApiError;
      const item = ITEMS.find((i) => err.field === i);
      if (item) form.setFields([{ name: item as keyof Fields, errors: [err.message] }]);
      else message.error(err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button data-testid="btn-create-workorder" disabled={!target} onClick={() => void show()}>
        {t('创建工单', 'Create work order')}
      </Button>
      {open && target && (
        <Modal
          open
          width={560}
          title={t('根据来电创建工单', 'Work order from the call')}
          okText={t('创建', 'Create')}
          cancelText={t('取消', 'Cancel')}
          confirmLoading={busy}
          onOk={() => form.submit()}
          onCancel={() => setOpen(false)}
          destroyOnHidden
        >
          <Typography.Paragraph type="secondary">
            {t('来电号码', 'Caller')} {target.caller}
          </Typography.Paragraph>
          <Form
            form={form}
            layout="vertical"
            requiredMark={false}
            onFinish={submit}
            initialValues={{ type: 'transfer', content: prefillContent({ caller: target.caller, summary }, lang) }}
            data-testid="workorder-form"
          >
            <Form.Item name="type" label={t('类型', 'Type')}>
              <Select
                data-testid="workorder-type"
                options={(Object.keys(TYPE_NAMES) as WorkOrderType[]).map((x) => ({ value: x, label: t(...TYPE_NAMES[x]) }))}
              />
            </Form.Item>
            {type === 'complaint' && (
              <Form.Item
                name="aboutStaff"
                valuePropName="checked"
                label={t('投诉工作人员', 'About staff')}
                extra={t('仅班长和管理员可见，联络员看不到', 'Supervisors and admins only; no liaison sees it')}
              >
                <Switch />
              </Form.Item>
            )}
            <Form.Item name="department" label={t('转办部门（可稍后由班长分派）', 'Department (or a supervisor assigns it later)')}>
              <Select
                allowClear
                data-testid="workorder-department"
                options={departments.filter((d) => d.active).map((d) => ({ value: d.code, label: lang === 'zh' ? d.name : d.nameEn }))}
              />
            </Form.Item>
            <Form.Item name="title" label={t('标题', 'Title')} rules={[{ required: true, message: t('请填写标题', 'Enter a title') }]}>
              <Input maxLength={100} data-testid="workorder-title" />
            </Form.Item>
            <Form.Item name="content" label={t('内容', 'Content')}>
              <Input.TextArea rows={5} maxLength={4000} showCount data-testid="workorder-content" />
            </Form.Item>
          </Form>
        </Modal>
      )}
    </>
  );
}
