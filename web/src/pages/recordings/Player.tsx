import { forwardRef, useEffect, useState } from 'react';
import { Alert, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { audioUrl } from './recording-format';
import type { Recording } from './types';

/**
 * A recording's audio: a plain <audio> on the API's URL, so the browser sends the session cookie
 * and asks ranges as the user seeks (every playback is audited by the server). When the browser
 * cannot play it, the same URL is asked once for one byte to learn why (403, 404) and say it.
 */
export const Player = forwardRef<HTMLAudioElement, { recording: Pick<Recording, 'id' | 'deletedAt'>; onTime?: (s: number) => void }>(
  function Player({ recording, onTime }, ref) {
    const t = useT();
    const [problem, setProblem] = useState<string | null>(null);
    useEffect(() => setProblem(null), [recording.id]);
    if (recording.deletedAt)
      return (
        <Alert
          type="warning"
          showIcon
          data-testid="player-deleted"
          message={t('录音文件已按保存期限删除', 'The audio was deleted at the end of its retention')}
        />
      );
    const onError = () => {
      void fetch(audioUrl(recording.id), { headers: { range: 'bytes=0-0' }, credentials: 'same-origin' }).then(
        async (r) => {
          if (r.ok) return setProblem(t('浏览器无法播放此录音', 'The browser cannot play this recording'));
          let msg = '';
          try {
            msg = ((await r.json()) as { error?: string }).error ?? '';
          } catch {
            // not JSON
          }
          const why =
            r.status === 403
              ? t('无权收听此录音', 'You may not listen to this recording')
              : r.status === 404
                ? t('录音文件不存在', 'The recording’s file is not there')
                : t(`无法播放（${r.status}）`, `Cannot play (${r.status})`);
          setProblem(msg ? `${why}：${msg}` : why);
        },
        () => setProblem(t('无法连接服务器', 'The server cannot be reached')),
      );
    };
    return (
      <div data-testid="player">
        <audio
          ref={ref}
          key={recording.id}
          controls
          preload="metadata"
          src={audioUrl(recording.id)}
          style={{ width: '100%' }}
          onError={onError}
          onTimeUpdate={(e) => onTime?.(e.currentTarget.currentTime)}
          data-testid="player-audio"
        />
        {problem ? (
          <Alert type="error" showIcon message={problem} data-testid="player-error" style={{ marginTop: 8 }} />
        ) : (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('每次收听都会记入审计日志', 'Every playback is recorded in the audit log')}
          </Typography.Text>
        )}
      </div>
    );
  },
);
