import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Checkbox, Empty, Form, Input, Radio, Space, Tag, TreeSelect, Typography } from 'antd';
import { ApiError, get, put, query } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import {
  ARTICLES_MAX,
  categoryTree,
  formField,
  NOTES_MAX,
  offeredArticles,
  QUESTION_MAX,
  type ArticleRef,
  type KbCategory,
  type Resolution,
} from './summary-form';
import type { DesktopFrame } from './useDesktopChannel';

/** GET /api/calls/:callId/summary (src/features/summaries/routes.ts). */
interface SummaryView {
  callId: string;
  summary: null | {
    categoryId: number;
    categoryPath: string[];
    question: string;
    resolution: Resolution;
    notes: string;
    articles: ArticleRef[];
    version: number;
    updatedAt: string;
    updatedBy: string;
  };
  edit: { allowed: boolean; until: string | null; reason: string | null };
}

interface Values {
  categoryId?: number;
  question: string;
  resolution: Resolution;
  notes: string;
  articleIds: number[];
}

/**
 * The call the summary form is for: the call in wrap-up (the pop's call id), kept after wrap-up
 * ends so the agent can finish it; or an earlier call the agent opened from the pop's history.
 */
export function useSummaryCall(frame: DesktopFrame | undefined): {
  callId: string | undefined;
  open: (id: string) => void;
  close: () => void;
} {
  const [callId, setCallId] = useState<string>();
  const wrapping = frame?.state === 'wrap_up' ? frame.pop?.callId : undefined;
  useEffect(() => {
    if (wrapping) setCallId(wrapping);
  }, [wrapping]);
  return { callId, open: setCallId, close: useCallback(() => setCallId(undefined), []) };
}

/** The articles opened from the desktop's knowledge-base panel during the current call (its onArticleOpened), reset for each call. */
export function useOpenedArticles(callId: string | undefined): { list: ArticleRef[]; add: (a: ArticleRef) => void } {
  const [opened, setOpened] = useState<{ callId: string | undefined; list: ArticleRef[] }>({ callId, list: [] });
  const list = opened.callId === callId ? opened.list : [];
  const add = useCallback(
    (a: ArticleRef) =>
      setOpened((o) => {
        const cur = o.callId === callId ? o.list : [];
        return { callId, list: cur.some((x) => x.id === a.id) ? cur : [...cur, { id: a.id, question: a.question }] };
      }),
    [callId],
  );
  return { list, add };
}

const RESOLUTION_LABELS: Array<[Resolution, string, string]> = [
  ['answered', '已解答', 'Answered'],
  ['work_order', '转工单', 'Work order'],
  ['transferred', '已转接', 'Transferred'],
  ['callback_promised', '承诺回电', 'Callback promised'],
];

/**
 * 来电小结: the summary of one call, at wrap-up or later within the edit window. The category
 * comes from the knowledge base's tree; choosing one offers its published articles to tick, and
 * the articles opened during the call come ticked. Saved with PUT /api/calls/:callId/summary.
 */
export function SummaryForm({ callId, openedArticles, onClose }: { callId: string; openedArticles: ArticleRef[]; onClose?: () => void }) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [view, setView] = useState<SummaryView>();
  const [loadError, setLoadError] = useState<string>();
  const [categories, setCategories] = useState<KbCategory[]>();
  const [suggested, setSuggested] = useState<ArticleRef[]>([]);
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const categoryId = Form.useWatch('categoryId', form);

  useEffect(() => {
    get<{ categories: KbCategory[] }>('/api/kb/categories').then(
      (r) => setCategories(r.categories),
      () => setCategories([]),
    );
  }, []);

  // The call's summary (if any) and whether this agent may write it; the call's row may lag its end by a moment.
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setView(undefined);
    setRefusal(undefined);
    setLoadError(undefined);
    const load = (attempt: number) =>
      get<SummaryView>(`/api/calls/${encodeURIComponent(callId)}/summary`).then(
        (v) => {
          if (!live) return;
          // Not ended in history yet: read again shortly.
          if (!v.edit.allowed && !v.summary && attempt < 10 && /not ended/.test(v.edit.reason ?? '')) {
            timer = setTimeout(() => load(attempt + 1), 500);
            return;
          }
          setView(v);
          const s = v.summary;
          form.setFieldsValue(
            s
              ? {
                  categoryId: s.categoryId,
                  question: s.question,
                  resolution: s.resolution,
                  notes: s.notes,
                  articleIds: s.articles.map((a) => a.id),
                }
              : { categoryId: undefined, question: '', resolution: 'answered', notes: '', articleIds: [] },
          );
        },
        (e: Error) => {
          if (!live) return;
          if (e instanceof ApiError && e.status === 404 && attempt < 10) timer = setTimeout(() => load(attempt + 1), 500);
          else setLoadError(e.message);
        },
      );
    void load(0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [callId, form]);

  // Articles opened during the call come ticked (the server links them on save in any case).
  useEffect(() => {
    if (!view || !openedArticles.length) return;
    const cur = form.getFieldValue('articleIds') ?? [];
    const add = openedArticles.map((a) => a.id).filter((id) => !cur.includes(id));
    if (add.length) form.setFieldValue('articleIds', [...cur, ...add].slice(0, ARTICLES_MAX));
  }, [openedArticles, view, form]);

  useEffect(() => {
    if (!categoryId) {
      setSuggested([]);
      return;
    }
    let live = true;
    get<{ articles: ArticleRef[] }>(`/api/kb/articles${query({ categoryId, status: 'published', limit: 20 })}`).then(
      (r) => live && setSuggested(r.articles.map((a) => ({ id: a.id, question: a.question }))),
      () => live && setSuggested([]),
    );
    return () => {
      live = false;
    };
  }, [categoryId]);

  const tree = useMemo(() => categoryTree(categories ?? []), [categories]);
  const saved = view?.summary;
  const offered = offeredArticles([...(saved?.articles ?? []), ...openedArticles], suggested);

  const save = async (values: Values) => {
    setSaving(true);
    setRefusal(undefined);
    try {
      const v = await put<SummaryView>(`/api/calls/${encodeURIComponent(callId)}/summary`, {
        categoryId: values.categoryId,
        question: values.question.trim(),
        resolution: values.resolution,
        notes: values.notes ?? '',
        articleIds: values.articleIds ?? [],
      });
      setView(v);
      if (v.summary)
        form.setFieldValue(
          'articleIds',
          v.summary.articles.map((a) => a.id),
        );
    } catch (e) {
      const field = e instanceof ApiError ? formField(e.field) : undefined;
      if (field) form.setFields([{ name: field, errors: [(e as Error).message] }]);
      else setRefusal((e as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const disabled = !view?.edit.allowed;
  return (
    <Card
      title={t('来电小结', 'Call summary')}
      size="small"
      style={{ marginTop: 16 }}
      data-testid="summary-form"
      data-call-id={callId}
      extra={
        <Space>
          {saved && (
            <Tag color="green" data-testid="summary-saved">
              {t(
                `已保存 · 第${saved.version}版 · ${formatDateTime(saved.updatedAt)}`,
                `Saved · v${saved.version} · ${formatDateTime(saved.updatedAt)}`,
              )}
            </Tag>
          )}
          {onClose && (
            <Button size="small" onClick={onClose} data-testid="summary-close">
              {t('关闭', 'Close')}
            </Button>
          )}
        </Space>
      }
    >
      {loadError && <Alert type="error" showIcon message={loadError} style={{ marginBottom: 12 }} />}
      {view && !view.edit.allowed && (
        <Alert
          type="info"
          showIcon
          message={t('不能修改此小结', 'You cannot edit this summary')}
          description={view.edit.reason}
          style={{ marginBottom: 12 }}
        />
      )}
      {refusal && <Alert type="error" showIcon message={refusal} style={{ marginBottom: 12 }} data-testid="summary-error" />}
      {categories && !categories.length && (
        <Alert
          type="warning"
          showIcon
          message={t('知识库没有分类：无法选择小结分类', 'The knowledge base has no categories to choose from')}
          style={{ marginBottom: 12 }}
        />
      )}
      <Form<Values> form={form} layout="vertical" disabled={disabled} onFinish={(v) => void save(v)} requiredMark={false}>
        <Form.Item
          name="categoryId"
          label={t('分类', 'Category')}
          rules={[{ required: true, message: t('请选择分类', 'Choose a category') }]}
        >
          <TreeSelect
            data-testid="summary-category"
            showSearch
            allowClear
            treeData={tree}
            treeNodeFilterProp="path"
            treeNodeLabelProp="path"
            placeholder={t('输入关键字搜索分类', 'Type to search the categories')}
            styles={{ popup: { root: { maxHeight: 360, overflow: 'auto' } } }}
          />
        </Form.Item>
        <Form.Item
          name="question"
          label={t('问题（一句话）', 'Question (one line)')}
          rules={[{ required: true, whitespace: true, message: t('请填写问题', 'Enter the question') }]}
        >
          <Input data-testid="summary-question" maxLength={QUESTION_MAX} showCount />
        </Form.Item>
        <Form.Item name="resolution" label={t('处理结果', 'Resolution')}>
          <Radio.Group data-testid="summary-resolution">
            {RESOLUTION_LABELS.map(([v, zh, en]) => (
              <Radio key={v} value={v}>
                {t(zh, en)}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item name="articleIds" label={t('使用的知识（来电中打开的已勾选）', 'Articles used (those opened on the call are ticked)')}>
          {offered.length ? (
            <Checkbox.Group data-testid="summary-articles" style={{ display: 'flex', flexDirection: 'column', gap: 4 }}>
              {offered.map((a) => (
                <span key={a.id} data-testid={`summary-article-${a.id}`}>
                  <Checkbox value={a.id}>{a.question}</Checkbox>
                </span>
              ))}
            </Checkbox.Group>
          ) : (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('选择分类后显示该分类的知识', 'Choose a category to see its articles')}
            />
          )}
        </Form.Item>
        <Form.Item name="notes" label={t('备注', 'Notes')}>
          <Input.TextArea data-testid="summary-notes" rows={2} maxLength={NOTES_MAX} showCount />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="summary-save">
            {saved ? t('保存修改', 'Save changes') : t('保存小结', 'Save summary')}
          </Button>
          {view?.edit.until && (
            <Typography.Text type="secondary">
              {t(`可修改至 ${formatDateTime(view.edit.until)}`, `Editable until ${formatDateTime(view.edit.until)}`)}
            </Typography.Text>
          )}
        </Space>
      </Form>
    </Card>
  );
}
