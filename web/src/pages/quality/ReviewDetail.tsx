import { useEffect, useRef, useState } from 'react';
import { Alert, Descriptions, Drawer, Space, Spin, Table, Typography } from 'antd';
import { get } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { formatDateTime } from '../../lib/time';
import { Player } from '../recordings/Player';
import { CommentList, seek } from './CommentList';
import { itemLabel } from './score';
import type { FormItem, Review } from './types';

/**
 * One review as its form's version had it: each item's score, the total, the comments (a comment's
 * time plays the recording from there, for those allowed to listen) and the summary.
 */
export function ReviewDetail({ reviewId, onClose }: { reviewId: string | null; onClose: () => void }) {
  const t = useT();
  const { lang } = useLang();
  const { can } = useSession();
  const audio = useRef<HTMLAudioElement>(null);
  const [review, setReview] = useState<Review>();
  const [error, setError] = useState<string>();
  // Agents may listen to their own calls only where the center allows it: the player says so if not.
  const mayListen = can('recordings') || can('recordings.own');
  useEffect(() => {
    if (!reviewId) return;
    let live = true;
    setReview(undefined);
    setError(undefined);
    get<Review>(`/api/quality/reviews/${encodeURIComponent(reviewId)}`).then(
      (r) => live && setReview(r),
      (e: Error) => live && setError(e.message),
    );
    return () => void (live = false);
  }, [reviewId]);
  const items: FormItem[] = review?.items ?? Object.keys(review?.scores ?? {}).map((key) => ({ key, label: key, weight: 0, maxScore: 0 }));
  return (
    <Drawer open={!!reviewId} onClose={onClose} width={720} title={t('质检详情', 'Review')} destroyOnHidden>
      {error ? <Alert type="error" showIcon message={error} /> : null}
      {!review && !error ? <Spin /> : null}
      {review ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="review-detail">
          {mayListen ? <Player ref={audio} recording={{ id: review.recordingId, deletedAt: null }} /> : null}
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label={t('总分', 'Total')}>
              <Typography.Text strong style={{ fontSize: 18 }} data-testid="review-detail-total">
                {review.total.toFixed(1)}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('坐席', 'Agent')}>{review.agentId}</Descriptions.Item>
            <Descriptions.Item label={t('质检员', 'Reviewer')}>{review.reviewer}</Descriptions.Item>
            <Descriptions.Item label={t('评分时间', 'Reviewed at')}>{formatDateTime(review.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('评分表版本', 'Form version')}>{review.formVersion}</Descriptions.Item>
            <Descriptions.Item label={t('通话编号', 'Call id')}>
              <Typography.Text style={{ fontSize: 12 }}>{review.callId}</Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <Table<FormItem>
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={items}
            data-testid="review-detail-scores"
            columns={[
              { title: t('评分项', 'Item'), render: (_: unknown, i) => itemLabel(i, lang) },
              { title: t('权重', 'Weight'), dataIndex: 'weight', width: 70, align: 'right', render: (w: number) => w || '—' },
              {
                title: t('得分', 'Score'),
                width: 110,
                align: 'right',
                render: (_: unknown, i) => `${review.scores[i.key] ?? '—'}${i.maxScore ? ` / ${i.maxScore}` : ''}`,
              },
            ]}
          />
          <div>
            <Typography.Title level={5}>{t('评语', 'Comments')}</Typography.Title>
            <CommentList comments={review.comments} onSeek={mayListen ? (ms) => seek(audio.current, ms) : undefined} />
          </div>
          <div>
            <Typography.Title level={5}>{t('总评', 'Summary')}</Typography.Title>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }} data-testid="review-detail-summary">
              {review.summary || '—'}
            </Typography.Paragraph>
          </div>
        </Space>
      ) : null}
    </Drawer>
  );
}
