import { useEffect, useState } from 'react';
import { Alert, Button, Table, Tag } from 'antd';
import { get, query } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { ReviewDetail } from './ReviewDetail';
import type { Review, ReviewPage } from './types';

/** A band for a total: what a reviewer reads at a glance. */
export function totalColor(total: number): string {
  return total >= 90 ? 'green' : total >= 75 ? 'blue' : total >= 60 ? 'orange' : 'red';
}

const reviewsUrl = (month: string, agentId?: string, cursor?: string) =>
  `/api/quality/reviews${query({ month, agentId, limit: 50, cursor })}`;

/** Reviews of one month (and one agent): newest first, 50 at a time; a row opens the review. */
export function ReviewList({ month, agentId }: { month: string; agentId?: string }) {
  const t = useT();
  const [rows, setRows] = useState<Review[]>();
  const [next, setNext] = useState<string>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRows(undefined);
    get<ReviewPage>(reviewsUrl(month, agentId)).then(
      (p) => live && (setRows(p.items), setNext(p.next), setError(undefined)),
      (e: Error) => live && (setRows([]), setError(e.message)),
    );
    return () => void (live = false);
  }, [month, agentId]);
  const more = () =>
    next &&
    void get<ReviewPage>(reviewsUrl(month, agentId, next)).then(
      (p) => (setRows((r) => [...(r ?? []), ...p.items]), setNext(p.next)),
      (e: Error) => setError(e.message),
    );
  return (
    <>
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null}
      <Table<Review>
        data-testid="reviews-table"
        size="small"
        rowKey="id"
        loading={rows === undefined}
        dataSource={rows}
        pagination={false}
        onRow={(r) => ({ onClick: () => setOpen(r.id), style: { cursor: 'pointer' } })}
        locale={{ emptyText: t('本月没有质检记录', 'No reviews this month') }}
        columns={[
          { title: t('评分时间', 'Reviewed at'), dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
          { title: t('坐席', 'Agent'), dataIndex: 'agentId', width: 90 },
          {
            title: t('总分', 'Total'),
            dataIndex: 'total',
            width: 80,
            render: (v: number) => <Tag color={totalColor(v)}>{v.toFixed(1)}</Tag>,
          },
          { title: t('质检员', 'Reviewer'), dataIndex: 'reviewer', width: 120 },
          {
            title: t('评语', 'Comments'),
            render: (_: unknown, r) => (r.comments.length ? t(`${r.comments.length} 条`, `${r.comments.length}`) : '—'),
            width: 80,
          },
          { title: t('总评', 'Summary'), dataIndex: 'summary', ellipsis: true, render: (s: string | null) => s || '—' },
          {
            title: '',
            width: 80,
            render: (_: unknown, r) => (
              <Button size="small" data-testid={`review-open-${r.id}`} onClick={() => setOpen(r.id)}>
                {t('查看', 'Open')}
              </Button>
            ),
          },
        ]}
      />
      {next ? (
        <div style={{ textAlign: 'center', marginTop: 12 }}>
          <Button onClick={more}>{t('加载更多', 'Load more')}</Button>
        </div>
      ) : null}
      <ReviewDetail reviewId={open} onClose={() => setOpen(null)} />
    </>
  );
}
