import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Col, Dropdown, Input, Popconfirm, Row, Select, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { api, ApiError, get, post, query } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { formatDateTime } from '../../lib/time';
import { STATUS_COLORS, STATUS_NAMES, type Article, type ArticleSummary, type KbCategory, type KbStatus } from '../kb/types';
import { ArticleEditor } from './kb/ArticleEditor';
import { CategoryAdmin } from './kb/CategoryAdmin';
import { ReviewQueue } from './kb/ReviewQueue';
import { VersionsDrawer } from './kb/VersionsDrawer';

const PAGE = 20;

/**
 * 知识库维护: the category tree (which is also the call-summary tree), the articles by status, the
 * editor, the review queue, versions with a diff, import and export. Buttons the user's grants
 * refuse are not shown; the API decides regardless.
 */
export default function KbOpsPage() {
  const t = useT();
  const { lang } = useLang();
  const { can } = useSession();
  const { message } = App.useApp();
  const canWrite = can('kb.write');
  const canReview = can('kb.review');
  const [categories, setCategories] = useState<KbCategory[]>([]);
  const [categoryId, setCategoryId] = useState<number | undefined>();
  const [status, setStatus] = useState<KbStatus | 'all'>('all');
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [list, setList] = useState<{ articles: ArticleSummary[]; total: number }>({ articles: [], total: 0 });
  const [loading, setLoading] = useState(false);
  const [editing, setEditing] = useState<{ article: Article | null } | null>(null);
  const [history, setHistory] = useState<number | null>(null);
  const [changes, setChanges] = useState(0);
  const [error, setError] = useState<string | null>(null);

  const reloadCategories = useCallback(() => {
    get<{ categories: KbCategory[] }>('/api/kb/categories').then(
      (r) => setCategories(r.categories),
      (e) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  }, []);
  useEffect(reloadCategories, [reloadCategories, changes]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    get<{ articles: ArticleSummary[]; total: number }>(
      `/api/kb/articles${query({ categoryId, status: status === 'all' ? undefined : status, q: q.trim() || undefined, limit: PAGE, offset: (page - 1) * PAGE })}`,
    )
      .then(
        (r) => live && setList(r),
        (e) => live && setError(e instanceof ApiError ? e.message : String(e)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [categoryId, status, q, page, changes]);

  const changed = () => setChanges((n) => n + 1);

  const edit = async (id: number) => {
    try {
      setEditing({ article: await get<Article>(`/api/kb/articles/${id}`) });
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    }
  };

  const retire = async (id: number) => {
    try {
      await post(`/api/kb/articles/${id}/retire`);
      message.success(t('已停用', 'Retired'));
      changed();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    }
  };

  const importFile = async (file: File) => {
    const text = await file.text();
    const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
    try {
      const body = csv ? text : (JSON.parse(text) as unknown);
      const r = await api<{ categories: number; articles: number }>('POST', '/api/kb/import', body, csv ? { contentType: 'text/csv' } : {});
      message.success(
        t(`已导入：${r.articles} 篇文章，${r.categories} 个目录`, `Imported ${r.articles} articles, ${r.categories} categories`),
      );
      changed();
    } catch (e) {
      message.error(
        e instanceof ApiError ? e.message : e instanceof SyntaxError ? t('不是有效的 JSON 文件', 'Not a valid JSON file') : String(e),
      );
    }
  };

  const statusName = (s: KbStatus) => (lang === 'zh' ? STATUS_NAMES[s][0] : STATUS_NAMES[s][1]);

  const articles = (
    <Row gutter={16}>
      <Col span={6}>
        <CategoryAdmin
          categories={categories}
          selected={categoryId}
          onSelect={(id) => {
            setCategoryId(id);
            setPage(1);
          }}
          reload={changed}
          canWrite={canWrite}
        />
      </Col>
      <Col span={18}>
        <Space wrap style={{ marginBottom: 8 }}>
          <Select
            style={{ width: 120 }}
            value={status}
            data-testid="kb-status-filter"
            onChange={(v) => {
              setStatus(v);
              setPage(1);
            }}
            options={[
              { value: 'all', label: t('全部状态', 'Any status') },
              ...(['draft', 'reviewed', 'published', 'retired'] as const).map((s) => ({ value: s, label: statusName(s) })),
            ]}
          />
          <Input.Search
            allowClear
            style={{ width: 240 }}
            placeholder={t('按问题查找', 'Find by question')}
            onSearch={(v) => {
              setQ(v);
              setPage(1);
            }}
            data-testid="kb-ops-find"
          />
          {canWrite && (
            <>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ article: null })} data-testid="kb-new">
                {t('新建文章', 'New article')}
              </Button>
              <Upload
                accept=".json,.csv,application/json,text/csv"
                showUploadList={false}
                beforeUpload={(f) => (void importFile(f), false)}
              >
                <Button icon={<UploadOutlined />} data-testid="kb-import">
                  {t('导入', 'Import')}
                </Button>
              </Upload>
              <Dropdown
                menu={{
                  items: [
                    {
                      key: 'json',
                      label: (
                        <a href="/api/kb/export?format=json" download="knowledge-base.json">
                          JSON
                        </a>
                      ),
                    },
                    {
                      key: 'csv',
                      label: (
                        <a href="/api/kb/export?format=csv" download="knowledge-base.csv">
                          CSV
                        </a>
                      ),
                    },
                  ],
                }}
              >
                <Button icon={<DownloadOutlined />} data-testid="kb-export">
                  {t('导出', 'Export')}
                </Button>
              </Dropdown>
            </>
          )}
        </Space>
        <Table
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={list.articles}
          data-testid="kb-ops-articles"
          pagination={{
            current: page,
            pageSize: PAGE,
            total: list.total,
            onChange: setPage,
            showSizeChanger: false,
            hideOnSinglePage: true,
          }}
          columns={[
            { title: t('问题', 'Question'), dataIndex: 'question', ellipsis: { showTitle: true } },
            {
              title: t('目录', 'Category'),
              dataIndex: 'categoryPath',
              render: (p: string[]) => p.slice(-2).join(' › '),
              width: 190,
              ellipsis: true,
            },
            {
              title: t('状态', 'Status'),
              dataIndex: 'status',
              width: 84,
              render: (s: KbStatus) => <Tag color={STATUS_COLORS[s]}>{statusName(s)}</Tag>,
            },
            { title: t('点击', 'Hits'), dataIndex: 'hits', width: 56, align: 'right' },
            { title: t('更新', 'Updated'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v).slice(0, 10), width: 100 },
            {
              title: t('操作', 'Actions'),
              width: 150,
              render: (_: unknown, r: ArticleSummary) => (
                <Space size={0}>
                  {canWrite && (
                    <Button type="link" size="small" onClick={() => void edit(r.id)} data-testid={`kb-edit-${r.id}`}>
                      {t('编辑', 'Edit')}
                    </Button>
                  )}
                  <Button type="link" size="small" onClick={() => setHistory(r.id)} data-testid={`kb-history-${r.id}`}>
                    {t('历史', 'History')}
                  </Button>
                  {canReview && r.status === 'published' && (
                    <Popconfirm
                      title={t('停用此文章？停用后不再被搜索到。', 'Retire? It leaves search.')}
                      onConfirm={() => void retire(r.id)}
                    >
                      <Button type="link" size="small" danger data-testid={`kb-retire-${r.id}`}>
                        {t('停用', 'Retire')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Col>
    </Row>
  );

  return (
    <div data-testid="kb-ops">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('知识库维护', 'Knowledge base: editing')}
      </Typography.Title>
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} style={{ marginBottom: 8 }} />}
      <Tabs
        items={[
          { key: 'articles', label: t('目录与文章', 'Tree & articles'), children: articles },
          ...(canReview
            ? [
                {
                  key: 'review',
                  label: <span data-testid="kb-tab-review">{t('审核与发布', 'Review & publish')}</span>,
                  children: <ReviewQueue version={changes} onChanged={changed} />,
                },
              ]
            : []),
        ]}
      />
      <ArticleEditor
        open={!!editing}
        article={editing?.article ?? null}
        categories={categories}
        defaultCategoryId={categoryId}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          changed();
        }}
      />
      <VersionsDrawer articleId={history} onClose={() => setHistory(null)} />
    </div>
  );
}
