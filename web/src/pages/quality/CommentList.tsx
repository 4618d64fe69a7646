import { Button, List, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDuration } from '../../lib/time';
import type { ReviewComment } from './types';

/** Comments in recording order; a comment's time seeks the player there (when there is a player). */
export function CommentList({
  comments,
  onSeek,
  onRemove,
}: {
  comments: readonly ReviewComment[];
  onSeek?: (atMs: number) => void;
  onRemove?: (index: number) => void;
}) {
  const t = useT();
  const sorted = comments.map((c, i) => ({ c, i })).sort((a, b) => a.c.atMs - b.c.atMs);
  return (
    <List
      size="small"
      data-testid="comments"
      locale={{ emptyText: t('没有评语', 'No comments') }}
      dataSource={sorted}
      renderItem={({ c, i }) => (
        <List.Item
          data-testid="comment"
          actions={
            onRemove
              ? [
                  <Button key="rm" size="small" type="link" danger onClick={() => onRemove(i)}>
                    {t('删除', 'Remove')}
                  </Button>,
                ]
              : undefined
          }
        >
          {onSeek ? (
            <Button
              size="small"
              type="link"
              style={{ padding: 0, marginInlineEnd: 8, fontVariantNumeric: 'tabular-nums' }}
              onClick={() => onSeek(c.atMs)}
              data-testid="comment-time"
              title={t('跳到此处播放', 'Play from here')}
            >
              {formatDuration(c.atMs / 1000)}
            </Button>
          ) : (
            <Typography.Text type="secondary" style={{ marginInlineEnd: 8 }}>
              {formatDuration(c.atMs / 1000)}
            </Typography.Text>
          )}
          <span style={{ whiteSpace: 'pre-wrap', flex: 1 }}>{c.text}</span>
        </List.Item>
      )}
    />
  );
}

/** Moves the player to a comment's time and plays from there. */
export function seek(audio: HTMLAudioElement | null, atMs: number): void {
  if (!audio) return;
  audio.currentTime = atMs / 1000;
  void audio.play().catch(() => undefined);
}
