import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Form, Input, InputNumber, Space, Spin, Statistic, Table, Typography } from 'antd';
import { ApiError, get, post } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { formatDateTime, formatDuration } from '../../lib/time';
import { Player } from '../recordings/Player';
import type { Recording } from '../recordings/types';
import { CommentList, seek } from './CommentList';
import { itemLabel, reviewTotal, scoreProblem, unscored } from './score';
import type { FormItem, QualityForm, ReviewComment } from './types';

import {
  COMMENTS_MAX as MAX_COMMENTS,
  COMMENT_TEXT_MAX as MAX_COMMENT,
  SUMMARY_MAX as MAX_SUMMARY,
} from '../../../../src/core/quality/review';

/**
 * 质检评分: the recording's player on top, a score per item of the current form (0 to its maximum),
 * comments stamped at the player's time, a summary; the total as the backend computes it, live.
 */
export function ReviewDrawer({ recording, onClose, onSaved }: { recording: Recording | null; onClose: () => void; onSaved: () => void }) {
  const t = useT();
  const { lang } = useLang();
  const { message } = App.useApp();
  const audio = useRef<HTMLAudioElement>(null);
  const [form, setForm] = useState<QualityForm>();
  const [loadError, setLoadError] = useState<string>();
  const [scores, setScores] = useState<Record<string, number | null>>({});
  const [comments, setComments] = useState<ReviewComment[]>([]);
  const [draft, setDraft] = useState('');
  const [summary, setSummary] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!recording) return;
    setScores({});
    setComments([]);
    setDraft('');
    setSummary('');
    setErrors({});
    let live = true;
    get<QualityForm>('/api/quality/form').then(
      (f) => live && (setForm(f), setLoadError(undefined)),
      (e: Error) => live && setLoadError(e.message),
    );
    return () => void (live = false);
  }, [recording]);

  const items = useMemo(() => form?.items ?? [], [form]);
  const total = reviewTotal(items, scores);
  const missing = unscored(items, scores);

  const addComment = () => {
    const text = draft.trim();
    if (!text) return setErrors((e) => ({ ...e, comment: t('请输入评语', 'Write the comment first') }));
    if (comments.length >= MAX_COMMENTS) return setErrors((e) => ({ ...e, comment: t('评语过多', 'Too many comments') }));
    const atMs = Math.round((audio.current?.currentTime ?? 0) * 1000);
    setComments((c) => [...c, { atMs, text }]);
    setDraft('');
    setErrors(({ comment: _, ...rest }) => rest);
  };

  const submit = async () => {
    if (!recording || !form) return;
    const local: Record<string, string> = {};
    for (const i of items) {
      const p = scoreProblem(i, scores[i.key]);
      if (p) local[`scores/${i.key}`] = t(...p);
    }
    for (const i of missing) local[`scores/${i.key}`] = t('请评分', 'Score this item');
    if (Object.keys(local).length) return setErrors(local);
    setSaving(true);
    try {
      await post('/api/quality/reviews', {
        recordingId: recording.id,
        scores: Object.fromEntries(items.map((i) => [i.key, scores[i.key]])),
        comments,
        ...(summary.trim() ? { summary: summary.trim() } : {}),
      });
      void message.success(t(`已提交质检评分：${total.toFixed(1)} 分`, `Review saved: ${total.toFixed(1)}`));
      onSaved();
    } catch (e) {
      const field = e instanceof ApiError ? e.field : undefined;
      setErrors(field ? { [field]: (e as Error).message } : { form: (e as Error).message });
    } finally {
      setSaving(false);
    }
  };

  const fieldError = (key: string) =>
    errors[key]
      ? { validateStatus: 'error' as const, help: <span data-testid={`review-error-${key.replace(/\//g, '-')}`}>{errors[key]}</span> }
      : {};

  return (
    <Drawer
      open={!!recording}
      onClose={onClose}
      width={760}
      destroyOnHidden
      title={recording ? t(`质检评分：${recording.caller}`, `Review: ${recording.caller}`) : ''}
      extra={
        <Button type="primary" loading={saving} disabled={!form} onClick={() => void submit()} data-testid="review-submit">
          {t('提交评分', 'Submit')}
        </Button>
      }
    >
      {recording ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="review-form">
          <Descriptions size="small" column={3}>
            <Descriptions.Item label={t('坐席', 'Agent')}>
              {recording.agentName ?? '—'} ({recording.agentId ?? '—'})
            </Descriptions.Item>
            <Descriptions.Item label={t('开始', 'Started')}>{formatDateTime(recording.startedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('时长', 'Length')}>
              {formatDuration(recording.durationMs == null ? null : recording.durationMs / 1000)}
            </Descriptions.Item>
          </Descriptions>
          <Player ref={audio} recording={recording} />
          {loadError ? <Alert type="error" showIcon message={loadError} /> : null}
          {!form && !loadError ? <Spin /> : null}
          {form ? (
            <>
              <Table<FormItem>
                size="small"
                rowKey="key"
                pagination={false}
                dataSource={items}
                data-testid="review-items"
                columns={[
                  { title: t('评分项', 'Item'), render: (_: unknown, i) => itemLabel(i, lang) },
                  { title: t('权重', 'Weight'), dataIndex: 'weight', width: 70, align: 'right' },
                  {
                    title: t('得分', 'Score'),
                    width: 210,
                    render: (_: unknown, i) => (
                      <Form.Item style={{ margin: 0 }} {...fieldError(`scores/${i.key}`)}>
                        <Space>
                          <InputNumber
                            min={0}
                            max={i.maxScore}
                            step={1}
                            precision={0}
                            value={scores[i.key] ?? null}
                            onChange={(v) => {
                              setScores((s) => ({ ...s, [i.key]: v }));
                              setErrors(({ [`scores/${i.key}`]: _, ...rest }) => rest);
                            }}
                            data-testid={`score-${i.key}`}
                            style={{ width: 90 }}
                          />
                          <Typography.Text type="secondary">/ {i.maxScore}</Typography.Text>
                        </Space>
                      </Form.Item>
                    ),
                  },
                ]}
              />
              <Space size="large" align="center">
                <div data-testid="review-total">
                  <Statistic title={t('总分（百分制）', 'Total (of 100)')} value={total.toFixed(1)} />
                </div>
                {missing.length ? (
                  <Typography.Text type="secondary" data-testid="review-missing">
                    {t(`还有 ${missing.length} 项未评分`, `${missing.length} item(s) not scored yet`)}
                  </Typography.Text>
                ) : null}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`评分表第 ${form.version} 版`, `Form version ${form.version}`)}
                </Typography.Text>
              </Space>
              <div>
                <Typography.Title level={5}>{t('评语（按播放位置）', 'Comments (at the playback time)')}</Typography.Title>
                <CommentList
                  comments={comments}
                  onSeek={(ms) => seek(audio.current, ms)}
                  onRemove={(i) => setComments((c) => c.filter((_, j) => j !== i))}
                />
                <Form.Item style={{ marginTop: 8, marginBottom: 0 }} {...fieldError('comment')}>
                  <Space.Compact style={{ width: '100%' }}>
                    <Input
                      maxLength={MAX_COMMENT}
                      value={draft}
                      onChange={(e) => setDraft(e.target.value)}
                      onPressEnter={addComment}
                      placeholder={t('在当前播放位置添加评语', 'A comment at the current playback time')}
                      data-testid="comment-text"
                    />
                    <Button onClick={addComment} data-testid="comment-add">
                      {t('添加评语', 'Add comment')}
                    </Button>
                  </Space.Compact>
                </Form.Item>
              </div>
              <Form.Item label={t('总评（可选）', 'Summary (optional)')} layout="vertical" {...fieldError('summary')}>
                <Input.TextArea
                  rows={3}
                  maxLength={MAX_SUMMARY}
                  value={summary}
                  onChange={(e) => setSummary(e.target.value)}
                  data-testid="review-summary"
                />
              </Form.Item>
              {errors.form ? <Alert type="error" showIcon message={errors.form} data-testid="review-error" /> : null}
            </>
          ) : null}
        </Space>
      ) : null}
    </Drawer>
  );
}
