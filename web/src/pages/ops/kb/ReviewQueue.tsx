import { useCallback, useEffect, useState } from 'react';
import { App, Button, Input, Modal, Space, Table, Tag, Typography } from 'antd';
import { ApiError, get, post, query } from '../../../lib/api';
import { useLang, useT } from '../../../lib/i18n';
import { formatDateTime } from '../../../lib/time';
import { STATUS_COLORS, STATUS_NAMES, type Article, type ArticleSummary } from '../../kb/types';

/**
 * What waits for a reviewer: drafts to approve or reject (with a comment) and reviewed articles to
 * publish. The API refuses a review of one's own article; its message is shown as it comes.
 */
export function ReviewQueue({ version, onChanged }: { version: number; onChanged: () => void }) {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const [rows, setRows] = useState<ArticleSummary[]>([]);
  const [loading, setLoading] = useState(false);
  const [preview, setPreview] = useState<Record<number, Article>>({});
  const [reject, setReject] = useState<{ id: number; comment: string } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [d, r] = await Promise.all(
        (['draft', 'reviewed'] as const).map((status) =>
          get<{ articles: ArticleSummary[] }>(`/api/kb/articles${query({ status, limit: 200 })}`),
        ),
      );
      setRows([...r!.articles, ...d!.articles]);
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  }, [message]);
  useEffect(() => void load(), [load, version]);

  const act = async (id: number, path: string, body: unknown, ok: string) => {
    try {
      await post(`/api/kb/articles/${id}/${path}`, body);
      message.success(ok);
      setReject(null);
      onChanged();
      void load();
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <div data-testid="kb-review">
      <Table
        size="small"
        rowKey="id"
        loading={loading}
        dataSource={rows}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: t('没有待审核或待发布的文章', 'Nothing waits for review') }}
        expandable={{
          onExpand: (open, r) => {
            if (open && !preview[r.id])
              get<Article>(`/api/kb/articles/${r.id}`).then(
                (a) => setPreview((p) => ({ ...p, [r.id]: a })),
                () => undefined,
              );
          },
          expandedRowRender: (r) =>
            preview[r.id] ? (
              <div style={{ maxWidth: 900 }}>
                <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{preview[r.id]!.answer}</Typography.Paragraph>
                <Typography.Text type="secondary">
                  {t('依据', 'Basis')}：{preview[r.id]!.basis || '—'} · {t('作者', 'Author')}：{preview[r.id]!.author}
                </Typography.Text>
              </div>
            ) : (
              '…'
            ),
        }}
        columns={[
          { title: t('问题', 'Question'), dataIndex: 'question', ellipsis: true },
          {
            title: t('目录', 'Category'),
            dataIndex: 'categoryPath',
            render: (p: string[]) => p.slice(-2).join(' › '),
            width: 200,
            ellipsis: true,
          },
          {
            title: t('状态', 'Status'),
            dataIndex: 'status',
            width: 90,
            render: (s: ArticleSummary['status']) => (
              <Tag color={STATUS_COLORS[s]}>{lang === 'zh' ? STATUS_NAMES[s][0] : STATUS_NAMES[s][1]}</Tag>
            ),
          },
          { title: t('更新', 'Updated'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v), width: 160 },
          {
            title: t('操作', 'Actions'),
            width: 200,
            render: (_: unknown, r: ArticleSummary) =>
              r.status === 'draft' ? (
                <Space size={4}>
                  <Button
                    size="small"
                    type="primary"
                    data-testid={`kb-approve-${r.id}`}
                    onClick={() => void act(r.id, 'review', { decision: 'approve' }, t('已审核通过', 'Approved'))}
                  >
                    {t('通过', 'Approve')}
                  </Button>
                  <Button size="small" danger data-testid={`kb-reject-${r.id}`} onClick={() => setReject({ id: r.id, comment: '' })}>
                    {t('驳回', 'Reject')}
                  </Button>
                </Space>
              ) : (
                <Button
                  size="small"
                  type="primary"
                  data-testid={`kb-publish-${r.id}`}
                  onClick={() => void act(r.id, 'publish', {}, t('已发布', 'Published'))}
                >
                  {t('发布', 'Publish')}
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={!!reject}
        title={t('驳回：退回草稿', 'Reject: back to draft')}
        onCancel={() => setReject(null)}
        onOk={() =>
          reject &&
          void act(reject.id, 'review', { decision: 'reject', comment: reject.comment.trim() || undefined }, t('已驳回', 'Rejected'))
        }
        destroyOnHidden
      >
        <Input.TextArea
          autoFocus
          maxLength={1000}
          placeholder={t('驳回意见（作者可见）', 'Comment for the author')}
          value={reject?.comment}
          onChange={(e) => reject && setReject({ ...reject, comment: e.target.value })}
          data-testid="kb-reject-comment"
        />
      </Modal>
    </div>
  );
}
