import { Button, Descriptions, Drawer, Space, Tag, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDateTime, formatDuration } from '../../lib/time';
import { HoldsPanel } from './HoldsPanel';
import { Player } from './Player';
import { formatBytes, KINDS, OUTCOMES } from './recording-format';
import type { Recording } from './types';

/** One recording: what is known of it, the player, its holds, and the way to score it. */
export function RecordingDrawer(p: {
  recording: Recording | null;
  onClose: () => void;
  /** Read the recording again (a hold was added or released). */
  onChanged: () => void;
  canHold: boolean;
  canReview: boolean;
  onReview: (r: Recording) => void;
}) {
  const t = useT();
  const r = p.recording;
  return (
    <Drawer
      open={!!r}
      onClose={p.onClose}
      width={720}
      title={r ? t(`录音：${r.caller}`, `Recording: ${r.caller}`) : ''}
      extra={
        r && p.canReview ? (
          <Button type="primary" onClick={() => p.onReview(r)} disabled={!!r.deletedAt || !r.endedAt} data-testid="review-open">
            {t('质检评分', 'Review')}
          </Button>
        ) : null
      }
    >
      {r ? (
        <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="recording-drawer">
          <Player recording={r} />
          <Descriptions size="small" bordered column={2} data-testid="recording-facts">
            <Descriptions.Item label={t('来电号码', 'Caller')}>{r.caller}</Descriptions.Item>
            <Descriptions.Item label={t('坐席', 'Agent')}>{r.agentId ? `${r.agentName ?? ''} (${r.agentId})` : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('队列', 'Queue')}>{r.queue}</Descriptions.Item>
            <Descriptions.Item label={t('结果', 'Outcome')}>
              {r.outcome ? t(...(OUTCOMES[r.outcome] ?? [r.outcome, r.outcome])) : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('开始', 'Started')}>{formatDateTime(r.startedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('时长', 'Length')}>
              {r.endedAt ? (
                formatDuration(r.durationMs == null ? null : r.durationMs / 1000)
              ) : (
                <Tag color="red">{t('录音中', 'Recording')}</Tag>
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('类型', 'Kind')}>{t(...KINDS[r.kind])}</Descriptions.Item>
            <Descriptions.Item label={t('大小', 'Size')}>{formatBytes(r.sizeBytes)}</Descriptions.Item>
            <Descriptions.Item label={t('保存至', 'Kept until')}>
              {r.deletedAt ? (
                <Tag>{t(`已于 ${formatDateTime(r.deletedAt)} 删除`, `Deleted ${formatDateTime(r.deletedAt)}`)}</Tag>
              ) : (
                formatDateTime(r.expiresAt)
              )}
            </Descriptions.Item>
            <Descriptions.Item label={t('质检', 'Review')}>
              {r.reviewed ? <Tag color="green">{t('已质检', 'Reviewed')}</Tag> : <Tag>{t('未质检', 'Not reviewed')}</Tag>}
            </Descriptions.Item>
            <Descriptions.Item label={t('通话编号', 'Call id')} span={2}>
              <Typography.Text copyable style={{ fontSize: 12 }}>
                {r.callId}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="SHA-256" span={2}>
              <Typography.Text style={{ fontSize: 12, wordBreak: 'break-all' }}>{r.sha256 ?? '—'}</Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>{t('保全（投诉、工单）', 'Holds (complaints, work orders)')}</Typography.Title>
            <HoldsPanel recording={r} editable={p.canHold} onChanged={p.onChanged} />
          </div>
        </Space>
      ) : null}
    </Drawer>
  );
}
