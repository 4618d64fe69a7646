import { memo, useEffect, useState } from 'react';
import { Alert, App, Button, Drawer, Form, InputNumber, Space } from 'antd';
import { BOUNDS, METRICS, type Metric, type Thresholds } from '../../../../src/core/wallboard/thresholds';
import { put, type ApiError } from '../../lib/api';
import { useT } from '../../lib/i18n';

const LABELS: Record<Metric, { name: [string, string]; unit: [string, string]; hint: [string, string] }> = {
  waiting: { name: ['排队人数', 'Callers waiting'], unit: ['人', ''], hint: ['达到即变色', 'at or above'] },
  longestWaitS: { name: ['最长等待', 'Longest wait'], unit: ['秒', 's'], hint: ['达到即变色', 'at or above'] },
  serviceLevelPct: {
    name: ['今日服务水平', 'Service level today'],
    unit: ['%', '%'],
    hint: ['低于或等于即变色（越低越差）', 'at or below (lower is worse)'],
  },
  abandonRatePct: { name: ['今日放弃率', 'Abandon rate today'], unit: ['%', '%'], hint: ['达到即变色', 'at or above'] },
};

/**
 * The center's thresholds (GET/PUT /api/wallboard/thresholds): who may change them edits here,
 * others only read. A refusal is shown at the field the API named ("waiting/amber").
 */
export const ThresholdsDrawer = memo(function ThresholdsDrawer(p: {
  open: boolean;
  onClose: () => void;
  value: Thresholds;
  editable: boolean;
  onSaved: (t: Thresholds) => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Thresholds>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (p.open) {
      form.setFieldsValue(p.value);
      setError(null);
    }
  }, [p.open, p.value, form]);
  const save = async () => {
    const v = form.getFieldsValue(true) as Thresholds;
    setSaving(true);
    setError(null);
    try {
      const saved = await put<Thresholds>('/api/wallboard/thresholds', v);
      p.onSaved(saved);
      void message.success(t('阈值已保存，所有监控屏生效', 'Saved for every wallboard'));
      p.onClose();
    } catch (err) {
      const e = err as ApiError;
      const path = e.field?.split('/');
      if (path && path.length === 2) form.setFields([{ name: path as [Metric, 'amber' | 'red'], errors: [e.message] }]);
      else setError(e.message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer
      open={p.open}
      onClose={p.onClose}
      width={440}
      title={t('告警阈值（全中心共用）', 'Alert thresholds (whole center)')}
      extra={
        p.editable ? (
          <Button type="primary" loading={saving} onClick={() => void save()} data-testid="thresholds-save">
            {t('保存', 'Save')}
          </Button>
        ) : null
      }
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} /> : null}
      {!p.editable ? (
        <Alert
          type="info"
          message={t('只读：班长或管理员可修改', 'Read only: supervisors and admins may change these')}
          style={{ marginBottom: 12 }}
        />
      ) : null}
      <Form form={form} layout="vertical" disabled={!p.editable} onValuesChange={() => setError(null)}>
        {METRICS.map((m) => (
          <Form.Item key={m} label={`${t(...LABELS[m].name)}（${t(...LABELS[m].hint)}）`} style={{ marginBottom: 8 }}>
            <Space>
              {(['amber', 'red'] as const).map((k) => (
                <Form.Item key={k} name={[m, k]} noStyle={false} style={{ marginBottom: 0 }}>
                  <InputNumber
                    data-testid={`threshold-${m}-${k}`}
                    min={BOUNDS[m].min}
                    max={BOUNDS[m].max}
                    precision={0}
                    style={{ width: 150 }}
                    prefix={
                      <span style={{ color: k === 'amber' ? '#d46b08' : '#cf1322' }}>
                        {k === 'amber' ? t('黄', 'Amber') : t('红', 'Red')}
                      </span>
                    }
                    suffix={t(...LABELS[m].unit)}
                  />
                </Form.Item>
              ))}
            </Space>
          </Form.Item>
        ))}
      </Form>
    </Drawer>
  );
});
