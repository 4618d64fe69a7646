import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Spin, Table, Typography } from 'antd';
import { ApiError, get, put } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { ITEMS_MAX, LABEL_MAX, MAX_SCORE_MAX, MAX_SCORE_MIN, WEIGHT_MAX, WEIGHT_MIN, formProblems } from './score';
import type { FormItem, QualityForm } from './types';

type Row = FormItem & { /** Kept from the saved form: its key names stored scores, so it stays. */ saved: boolean; uid: number };

let uids = 0;
const toRows = (f: QualityForm): Row[] => f.items.map((i) => ({ ...i, saved: true, uid: ++uids }));

/**
 * 质检表单: the items a review scores and their weights. Saving makes a new version; reviews keep
 * the version they were made with. A saved item's key cannot change (old scores are stored by it).
 */
export default function FormEditor() {
  const t = useT();
  const { message } = App.useApp();
  const [form, setForm] = useState<QualityForm>();
  const [rows, setRows] = useState<Row[]>([]);
  const [loadError, setLoadError] = useState<string>();
  const [serverError, setServerError] = useState<{ field?: string; message: string }>();
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    get<QualityForm>('/api/quality/form').then(
      (f) => (setForm(f), setRows(toRows(f))),
      (e: Error) => setLoadError(e.message),
    );
  }, []);
  const problems = formProblems(rows);
  const weights = rows.reduce((s, r) => s + (Number.isFinite(r.weight) ? r.weight : 0), 0);
  const edit = (uid: number, patch: Partial<FormItem>) => {
    setRows((rs) => rs.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));
    setServerError(undefined);
  };
  const problemAt = (index: number, field: keyof FormItem) => {
    const local = tried ? problems.find((p) => p.index === index && p.field === field) : undefined;
    const remote = serverError?.field === `items/${index}/${field}` ? serverError.message : undefined;
    const msg = local ? t(...local.message) : remote;
    return msg ? { validateStatus: 'error' as const, help: <span data-testid={`form-error-${index}-${field}`}>{msg}</span> } : {};
  };
  const save = async () => {
    setTried(true);
    if (problems.length) return;
    setSaving(true);
    try {
      const items = rows.map(({ key, label, labelEn, weight, maxScore }) => ({
        key: key.trim(),
        label: label.trim(),
        ...(labelEn?.trim() ? { labelEn: labelEn.trim() } : {}),
        weight,
        maxScore,
      }));
      const f = await put<QualityForm>('/api/quality/form', { items });
      setForm(f);
      setRows(toRows(f));
      setTried(false);
      void message.success(t(`已保存为第 ${f.version} 版`, `Saved as version ${f.version}`));
    } catch (e) {
      setServerError({ field: e instanceof ApiError ? e.field : undefined, message: (e as Error).message });
    } finally {
      setSaving(false);
    }
  };
  if (loadError) return <Alert type="error" showIcon message={loadError} />;
  if (!form) return <Spin />;
  return (
    <div data-testid="quality-form-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('质检表单', 'Review form')}
      </Typography.Title>
      <Card
        size="small"
        title={
          <span data-testid="form-version">
            {t(`第 ${form.version} 版`, `Version ${form.version}`)}
            <Typography.Text type="secondary" style={{ marginInlineStart: 12, fontWeight: 'normal' }}>
              {form.updatedBy} · {formatDateTime(form.updatedAt)}
            </Typography.Text>
          </span>
        }
        extra={
          <Space>
            <Button
              disabled={rows.length >= ITEMS_MAX}
              title={rows.length >= ITEMS_MAX ? t(`最多 ${ITEMS_MAX} 个评分项`, `At most ${ITEMS_MAX} items`) : undefined}
              onClick={() =>
                setRows((rs) => [...rs, { key: '', label: '', weight: 10, maxScore: MAX_SCORE_MAX, saved: false, uid: ++uids }])
              }
              data-testid="form-add"
            >
              {t('添加评分项', 'Add item')}
            </Button>
            <Button onClick={() => (setRows(toRows(form)), setTried(false), setServerError(undefined))}>
              {t('撤销修改', 'Discard changes')}
            </Button>
            <Button type="primary" loading={saving} onClick={() => void save()} data-testid="form-save">
              {t('保存为新版本', 'Save as a new version')}
            </Button>
          </Space>
        }
      >
        <Table<Row>
          size="small"
          rowKey="uid"
          pagination={false}
          dataSource={rows}
          data-testid="form-items"
          columns={[
            {
              title: t('标识', 'Key'),
              width: 160,
              render: (_: unknown, r, i) => (
                <Form.Item style={{ margin: 0 }} {...problemAt(i, 'key')}>
                  <Input
                    value={r.key}
                    disabled={r.saved}
                    maxLength={32}
                    onChange={(e) => edit(r.uid, { key: e.target.value })}
                    data-testid={`form-key-${i}`}
                  />
                </Form.Item>
              ),
            },
            {
              title: t('名称', 'Name'),
              render: (_: unknown, r, i) => (
                <Form.Item style={{ margin: 0 }} {...problemAt(i, 'label')}>
                  <Input
                    value={r.label}
                    maxLength={LABEL_MAX}
                    onChange={(e) => edit(r.uid, { label: e.target.value })}
                    data-testid={`form-label-${i}`}
                  />
                </Form.Item>
              ),
            },
            {
              title: t('英文名称（可选）', 'English name (optional)'),
              render: (_: unknown, r, i) => (
                <Form.Item style={{ margin: 0 }} {...problemAt(i, 'labelEn')}>
                  <Input value={r.labelEn ?? ''} maxLength={LABEL_MAX} onChange={(e) => edit(r.uid, { labelEn: e.target.value })} />
                </Form.Item>
              ),
            },
            {
              title: t('权重', 'Weight'),
              width: 150,
              render: (_: unknown, r, i) => (
                <Form.Item style={{ margin: 0 }} {...problemAt(i, 'weight')}>
                  <Space>
                    <InputNumber
                      min={WEIGHT_MIN}
                      max={WEIGHT_MAX}
                      precision={0}
                      value={r.weight}
                      onChange={(v) => edit(r.uid, { weight: v ?? NaN })}
                      style={{ width: 70 }}
                      data-testid={`form-weight-${i}`}
                    />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {weights ? `${((r.weight / weights) * 100).toFixed(0)}%` : ''}
                    </Typography.Text>
                  </Space>
                </Form.Item>
              ),
            },
            {
              title: t('满分', 'Max score'),
              width: 100,
              render: (_: unknown, r, i) => (
                <Form.Item style={{ margin: 0 }} {...problemAt(i, 'maxScore')}>
                  <InputNumber
                    min={MAX_SCORE_MIN}
                    max={MAX_SCORE_MAX}
                    precision={0}
                    value={r.maxScore}
                    onChange={(v) => edit(r.uid, { maxScore: v ?? NaN })}
                    style={{ width: 70 }}
                    data-testid={`form-max-${i}`}
                  />
                </Form.Item>
              ),
            },
            {
              title: '',
              width: 70,
              render: (_: unknown, r) => (
                <Button size="small" danger type="link" onClick={() => setRows((rs) => rs.filter((x) => x.uid !== r.uid))}>
                  {t('删除', 'Remove')}
                </Button>
              ),
            },
          ]}
        />
        {tried && problems.some((p) => p.index < 0) ? (
          <Alert type="error" showIcon message={t(...problems.find((p) => p.index < 0)!.message)} data-testid="form-error-items" />
        ) : null}
        {serverError && !serverError.field?.startsWith('items/') ? (
          <Alert type="error" showIcon message={serverError.message} style={{ marginTop: 12 }} data-testid="form-error" />
        ) : null}
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t(
            '总分 = Σ(得分 ÷ 满分 × 权重) ÷ Σ权重 × 100。保存后新的质检使用新版本，已有的质检保留原版本。',
            'Total = Σ(score ÷ max × weight) ÷ Σweight × 100. New reviews use the new version; earlier ones keep theirs.',
          )}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
