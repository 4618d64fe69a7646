import { useEffect, useMemo, useState } from 'react';
import { App, AutoComplete, Button, Drawer, Form, Input, Select, Space, TreeSelect } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { ApiError, get, post, put, query } from '../../../lib/api';
import { useT } from '../../../lib/i18n';
import { buildCategoryTree } from '../../kb/tree';
import type { Article, ArticleSummary, KbCategory } from '../../kb/types';
import { selectData } from './CategoryAdmin';
import { splitKeywords } from './version-doc';

const DEPARTMENTS = ['杭州市国家税务局', '杭州市地方税务局', '杭州市财政局'];

interface Values {
  categoryId: number;
  question: string;
  answer: string;
  basis?: string;
  keywords?: string[];
  region?: string;
  department?: string;
  related?: number[];
  attachments?: Array<{ name: string; url: string }>;
}

/**
 * Writing or editing an article. A new one is a draft; saving an edit keeps a new version (the
 * version edited goes with it, so a stale edit is refused: 409, shown).
 */
export function ArticleEditor({
  open,
  article,
  categories,
  defaultCategoryId,
  onClose,
  onSaved,
}: {
  open: boolean;
  /** The article edited; null: a new one. */
  article: Article | null;
  categories: KbCategory[];
  defaultCategoryId?: number;
  onClose: () => void;
  onSaved: (a: Article) => void;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [relatedOptions, setRelatedOptions] = useState<Array<{ value: number; label: string }>>([]);
  const treeData = useMemo(() => selectData(buildCategoryTree(categories)), [categories]);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (article) {
      form.setFieldsValue({
        categoryId: article.categoryId,
        question: article.question,
        answer: article.answer,
        basis: article.basis,
        keywords: article.keywords,
        region: article.region ?? undefined,
        department: article.department ?? undefined,
        related: article.related.map((r) => r.id),
        attachments: article.attachments,
      });
      setRelatedOptions(article.related.map((r) => ({ value: r.id, label: r.question })));
    } else {
      form.setFieldsValue({ categoryId: defaultCategoryId, region: '杭州市' } as Values);
      setRelatedOptions([]);
    }
  }, [open, article, defaultCategoryId, form]);

  const findRelated = async (q: string) => {
    if (!q.trim()) return;
    try {
      const r = await get<{ articles: ArticleSummary[] }>(`/api/kb/articles${query({ q, limit: 20 })}`);
      setRelatedOptions((cur) => {
        const keep = cur.filter((o) => (form.getFieldValue('related') as number[] | undefined)?.includes(o.value));
        const add = r.articles
          .filter((a) => a.id !== article?.id && !keep.some((k) => k.value === a.id))
          .map((a) => ({ value: a.id, label: a.question }));
        return [...keep, ...add];
      });
    } catch {
      // the list stays as it was; typing again retries
    }
  };

  const save = async (v: Values) => {
    setSaving(true);
    const body = {
      categoryId: v.categoryId,
      question: v.question.trim(),
      answer: v.answer.trim(),
      basis: v.basis?.trim() ?? '',
      keywords: splitKeywords(v.keywords ?? []),
      region: v.region?.trim() || null,
      department: v.department?.trim() || null,
      related: v.related ?? [],
      attachments: (v.attachments ?? []).filter((a) => a?.name && a?.url),
    };
    try {
      const saved = article
        ? await put<Article>(`/api/kb/articles/${article.id}`, { ...body, version: article.version })
        : await post<Article>('/api/kb/articles', body);
      message.success(
        article ? t(`已保存为第 ${saved.version} 版`, `Saved as version ${saved.version}`) : t('已创建草稿', 'Draft created'),
      );
      onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.field) {
        const name = e.field.split('/')[0]!;
        form.setFields([{ name: name as keyof Values, errors: [e.message] }]);
      }
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={720}
      title={article ? t(`编辑文章（第 ${article.version} 版）`, `Edit (version ${article.version})`) : t('新建文章', 'New article')}
      destroyOnHidden
      extra={
        <Button type="primary" loading={saving} onClick={() => form.submit()} data-testid="kb-editor-save">
          {t('保存', 'Save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" onFinish={(v) => void save(v)} data-testid="kb-editor">
        <Form.Item
          name="categoryId"
          label={t('目录', 'Category')}
          rules={[{ required: true, message: t('请选择目录', 'Choose a category') }]}
        >
          <TreeSelect
            treeData={treeData}
            showSearch
            treeNodeFilterProp="title"
            treeDefaultExpandAll={false}
            data-testid="kb-editor-category"
            placeholder={t('选择目录', 'Choose')}
          />
        </Form.Item>
        <Form.Item name="question" label={t('问题', 'Question')} rules={[{ required: true, message: t('请填写问题', 'Required') }]}>
          <Input maxLength={500} data-testid="kb-editor-question" />
        </Form.Item>
        <Form.Item name="answer" label={t('答案', 'Answer')} rules={[{ required: true, message: t('请填写答案', 'Required') }]}>
          <Input.TextArea autoSize={{ minRows: 5, maxRows: 14 }} maxLength={20000} data-testid="kb-editor-answer" />
        </Form.Item>
        <Form.Item name="basis" label={t('依据', 'Basis')}>
          <Input.TextArea
            autoSize={{ minRows: 1, maxRows: 4 }}
            maxLength={2000}
            placeholder="如：国税函[2009]617号"
            data-testid="kb-editor-basis"
          />
        </Form.Item>
        <Form.Item name="keywords" label={t('关键字', 'Keywords')}>
          <Select
            mode="tags"
            tokenSeparators={['、', '，', ',', ' ']}
            open={false}
            data-testid="kb-editor-keywords"
            placeholder={t('输入后回车', 'Type, then Enter')}
          />
        </Form.Item>
        <Space style={{ width: '100%' }} styles={{ item: { flex: 1 } }}>
          <Form.Item name="region" label={t('地区', 'Region')}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="department" label={t('部门', 'Department')}>
            <AutoComplete options={DEPARTMENTS.map((d) => ({ value: d }))} maxLength={100} />
          </Form.Item>
        </Space>
        <Form.Item name="related" label={t('相关知识', 'Related articles')}>
          <Select
            mode="multiple"
            showSearch
            filterOption={false}
            onSearch={(q) => void findRelated(q)}
            options={relatedOptions}
            placeholder={t('输入问题查找', 'Type to find')}
          />
        </Form.Item>
        <Form.List name="attachments">
          {(fields, { add, remove }) => (
            <Form.Item label={t('附件（链接）', 'Attachments (links)')}>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[f.name, 'name']} rules={[{ required: true, message: t('名称', 'Name') }]}>
                    <Input placeholder={t('名称', 'Name')} maxLength={200} style={{ width: 220 }} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'url']}
                    rules={[{ required: true, pattern: /^(https?:\/\/|\/)/, message: t('http(s) 链接', 'An http(s) link') }]}
                  >
                    <Input placeholder="https://…" maxLength={1000} style={{ width: 380 }} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()}>
                {t('添加附件', 'Add an attachment')}
              </Button>
            </Form.Item>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}
