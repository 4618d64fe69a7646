import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Empty, Input, List, Row, Segmented, Space, Spin, Tabs, Tag, Tree, Typography } from 'antd';
import { ArrowLeftOutlined, SearchOutlined } from '@ant-design/icons';
import { ApiError, get, put, query } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { ArticleView, Hotness } from '../kb/ArticleView';
import { Highlighted } from '../kb/Highlighted';
import { searchRunner } from '../kb/search-runner';
import { buildCategoryTree, categoryPath } from '../kb/tree';
import type { Article, ArticleSummary, KbCategory, SearchResult } from '../kb/types';

export interface KbPanelProps {
  /** The call the agent is on: an article opened now is recorded against it (the call summary's link). */
  callId?: string;
  /** Told of every article opened (the summary form prefills the articles used). */
  onArticleOpened?: (a: { id: number; question: string }) => void;
  /** Full page (/kb) rather than a panel of the desktop: taller lists. */
  fullPage?: boolean;
}

const SEARCH_DELAY_MS = 150;

/**
 * The knowledge base as an agent uses it mid-call: type and the answers come (150 ms after the
 * last key, matched words marked), or browse the tree; open one to read it; star it. The same
 * component is the /kb page for every role.
 */
export default function KbPanel({ callId, onArticleOpened, fullPage }: KbPanelProps) {
  const t = useT();
  const { can } = useSession();
  const { message } = App.useApp();
  const [categories, setCategories] = useState<KbCategory[]>([]);
  const [categoryId, setCategoryId] = useState<number | undefined>();
  const [text, setText] = useState('');
  const [results, setResults] = useState<{ q: string; items: SearchResult[]; tookMs: number } | null>(null);
  const [searching, setSearching] = useState(false);
  const [browse, setBrowse] = useState<{ items: ArticleSummary[]; total: number } | null>(null);
  const [favourites, setFavourites] = useState<{ private: ArticleSummary[]; public: ArticleSummary[] }>({ private: [], public: [] });
  const [favScope, setFavScope] = useState<'private' | 'public'>('private');
  const [article, setArticle] = useState<Article | null>(null);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canPublic = can('kb.write') || can('workorders.manage');
  const height = fullPage ? 'calc(100vh - 250px)' : 360;

  const fail = useCallback((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)), []);

  useEffect(() => {
    get<{ categories: KbCategory[] }>('/api/kb/categories').then((r) => setCategories(r.categories), fail);
  }, [fail]);
  const loadFavourites = useCallback(() => {
    get<{ private: ArticleSummary[]; public: ArticleSummary[] }>('/api/kb/favourites').then(setFavourites, fail);
  }, [fail]);
  useEffect(loadFavourites, [loadFavourites]);

  // The search runner outlives renders; the category it restricts to is read when it fires.
  const categoryRef = useRef(categoryId);
  categoryRef.current = categoryId;
  const runner = useMemo(
    () =>
      searchRunner<{ results: SearchResult[]; tookMs: number }>({
        delayMs: SEARCH_DELAY_MS,
        fetch: (q) => get(`/api/kb/search${query({ q, categoryId: categoryRef.current, limit: 20 })}`),
        onPending: () => setSearching(true),
        onResult: (q, r) => {
          setSearching(false);
          setError(null);
          setResults({ q, items: r.results, tookMs: r.tookMs });
        },
        onError: (_q, e) => {
          setSearching(false);
          fail(e);
        },
        onClear: () => {
          setSearching(false);
          setResults(null);
        },
      }),
    [fail],
  );
  useEffect(() => () => runner.cancel(), [runner]);

  const onType = (v: string) => {
    setText(v);
    setArticle(null);
    runner.type(v);
  };

  // Browsing: the selected category's published articles.
  useEffect(() => {
    if (categoryId === undefined) {
      setBrowse(null);
      return;
    }
    let live = true;
    get<{ articles: ArticleSummary[]; total: number }>(`/api/kb/articles${query({ categoryId, status: 'published', limit: 100 })}`).then(
      (r) => live && setBrowse({ items: r.articles, total: r.total }),
      fail,
    );
    return () => {
      live = false;
    };
  }, [categoryId, fail]);

  const selectCategory = (id: number | undefined) => {
    setCategoryId(id);
    setArticle(null);
    categoryRef.current = id;
    if (text.trim()) runner.type(text);
  };

  const open = async (id: number) => {
    setOpening(true);
    try {
      const a = await get<Article>(`/api/kb/articles/${id}${query({ callId })}`);
      setArticle(a);
      setError(null);
      onArticleOpened?.({ id: a.id, question: a.question });
    } catch (e) {
      fail(e);
    } finally {
      setOpening(false);
    }
  };

  const favourite = async (scope: 'private' | 'public', on: boolean) => {
    if (!article) return;
    try {
      await put(`/api/kb/articles/${article.id}/favourite`, { scope, on });
      setArticle({ ...article, favourite: { ...article.favourite, [scope]: on } });
      message.success(on ? t('已收藏', 'Added to favourites') : t('已取消收藏', 'Removed from favourites'));
      loadFavourites();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    }
  };

  const tree = useMemo(() => buildCategoryTree(categories), [categories]);
  const selectedName = categoryId !== undefined ? categoryPath(categories, categoryId).at(-1) : undefined;

  const summaryItem = (a: ArticleSummary | SearchResult) => (
    <List.Item
      key={a.id}
      style={{ padding: '8px 4px', cursor: 'pointer' }}
      onClick={() => void open(a.id)}
      data-testid="kb-result"
      data-article-id={a.id}
    >
      <div style={{ width: '100%', minWidth: 0 }}>
        <Typography.Link style={{ fontSize: 14 }} data-testid="kb-result-question">
          {'questionHtml' in a ? <Highlighted html={a.questionHtml} /> : a.question}
        </Typography.Link>
        {'snippet' in a && a.snippet && (
          <div
            style={{
              color: '#595959',
              fontSize: 12,
              marginTop: 2,
              overflow: 'hidden',
              display: '-webkit-box',
              WebkitLineClamp: 2,
              WebkitBoxOrient: 'vertical',
            }}
          >
            <Highlighted html={a.snippet} />
          </div>
        )}
        <Space size={8} style={{ fontSize: 12, color: '#8c8c8c', marginTop: 2 }} wrap>
          <span>{a.categoryPath.slice(-2).join(' › ')}</span>
          <span>
            {t('点击', 'Hits')} {a.hits}
          </span>
          <Hotness level={a.hotness} />
        </Space>
      </div>
    </List.Item>
  );

  const list = results ? (
    <div data-testid="kb-results" data-query={results.q}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t(`找到 ${results.items.length} 条`, `${results.items.length} found`)} · {results.tookMs} ms
      </Typography.Text>
      <List
        size="small"
        dataSource={results.items}
        renderItem={summaryItem}
        locale={{ emptyText: t('没有找到相关知识', 'Nothing found') }}
      />
    </div>
  ) : browse ? (
    <div data-testid="kb-browse">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {selectedName} · {t(`${browse.total} 篇`, `${browse.total} articles`)}
      </Typography.Text>
      <List
        size="small"
        dataSource={browse.items}
        renderItem={summaryItem}
        locale={{ emptyText: t('此目录下没有已发布的文章', 'No published articles here') }}
      />
    </div>
  ) : (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={t('输入问题搜索，或在左侧目录中浏览', 'Type a question, or browse the tree on the left')}
    />
  );

  return (
    <Card
      title={t('知识库', 'Knowledge base')}
      size="small"
      data-testid="kb-panel"
      extra={callId ? <Tag color="blue">{t('打开的文章将记入本次通话小结', 'Articles opened now go into this call’s summary')}</Tag> : null}
    >
      <Space.Compact style={{ width: '100%', marginBottom: 8 }}>
        <Input
          allowClear
          size="large"
          prefix={<SearchOutlined />}
          placeholder={t('输入问题或关键字，如：海关完税凭证 抵扣时限', 'A question or keywords')}
          aria-label={t('搜索知识库', 'Search the knowledge base')}
          data-testid="kb-search"
          value={text}
          onChange={(e) => onType(e.target.value)}
          suffix={searching ? <Spin size="small" /> : null}
        />
      </Space.Compact>
      {selectedName && (
        <Tag closable onClose={() => selectCategory(undefined)} style={{ marginBottom: 8 }} data-testid="kb-scope">
          {t('范围', 'In')}：{selectedName}
        </Tag>
      )}
      {error && <Alert type="error" showIcon message={error} closable onClose={() => setError(null)} style={{ marginBottom: 8 }} />}
      <Row gutter={12}>
        <Col span={fullPage ? 6 : 8}>
          <Tabs
            size="small"
            items={[
              {
                key: 'tree',
                label: t('目录', 'Tree'),
                children: (
                  <div style={{ height, overflow: 'auto' }} data-testid="kb-tree">
                    <Tree
                      blockNode
                      treeData={tree as never}
                      selectedKeys={categoryId !== undefined ? [categoryId] : []}
                      onSelect={(keys) => selectCategory(keys.length ? Number(keys[0]) : undefined)}
                    />
                  </div>
                ),
              },
              {
                key: 'fav',
                label: t('收藏夹', 'Favourites'),
                children: (
                  <div style={{ height, overflow: 'auto' }} data-testid="kb-favourites">
                    <Segmented
                      size="small"
                      value={favScope}
                      onChange={(v) => setFavScope(v as 'private' | 'public')}
                      options={[
                        { value: 'private', label: t('私人', 'Mine') },
                        { value: 'public', label: t('公共', 'Shared') },
                      ]}
                      style={{ marginBottom: 4 }}
                    />
                    <List
                      size="small"
                      dataSource={favourites[favScope]}
                      locale={{ emptyText: t('还没有收藏', 'None yet') }}
                      renderItem={(a) => (
                        <List.Item
                          key={a.id}
                          style={{ padding: '6px 0', cursor: 'pointer' }}
                          onClick={() => void open(a.id)}
                          data-testid={`kb-fav-${favScope}`}
                        >
                          <Typography.Link style={{ fontSize: 13 }}>{a.question}</Typography.Link>
                        </List.Item>
                      )}
                    />
                  </div>
                ),
              },
            ]}
          />
        </Col>
        <Col span={fullPage ? 18 : 16}>
          <div style={{ height: typeof height === 'number' ? height + 46 : `calc(${height} + 46px)`, overflow: 'auto', paddingRight: 4 }}>
            <Spin spinning={opening}>
              {article ? (
                <>
                  <Button
                    type="link"
                    size="small"
                    icon={<ArrowLeftOutlined />}
                    style={{ padding: 0, marginBottom: 4 }}
                    onClick={() => setArticle(null)}
                    data-testid="kb-back"
                  >
                    {t('返回列表', 'Back to the list')}
                  </Button>
                  <ArticleView
                    article={article}
                    onOpen={(id) => void open(id)}
                    onFavourite={(s, on) => void favourite(s, on)}
                    canPublicFavourite={canPublic}
                  />
                </>
              ) : (
                list
              )}
            </Spin>
          </div>
        </Col>
      </Row>
    </Card>
  );
}
