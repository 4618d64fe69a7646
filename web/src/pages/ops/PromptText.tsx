import { useEffect, useRef, useState } from 'react';
import { Button, Form, Input, Space } from 'antd';
import { ApiError, api } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { fieldError } from './fields';
import type { Problem } from './problems';

/** The longest text the preview route takes (features/ivr/prompt-preview.ts). */
const PREVIEW_MAX = 300;

/**
 * One language of a prompt: its text, and a play button that has the service synthesize the text
 * as callers would hear it (POST /api/prompts/preview) and plays it from a blob URL.
 */
export function PromptText(props: {
  name: string;
  lang: 'zh' | 'en';
  value: string;
  onChange: (text: string) => void;
  problems: readonly Problem[];
}) {
  const { name, lang, value, onChange, problems } = props;
  const t = useT();
  const [url, setUrl] = useState<string>();
  const [sound, setSound] = useState<{ type: string; size: number }>();
  const [busy, setBusy] = useState(false);
  const [previewError, setPreviewError] = useState<string>();
  const audio = useRef<HTMLAudioElement>(null);
  // Each blob URL holds its sound in memory until revoked.
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);

  const play = async () => {
    setBusy(true);
    setPreviewError(undefined);
    try {
      const r = await api<Response>('POST', '/api/prompts/preview', { text: value, lang }, { raw: true });
      const blob = await r.blob();
      setSound({ type: blob.type, size: blob.size });
      setUrl(URL.createObjectURL(blob));
      // Played once it is loaded (the element's autoPlay), the click being the user's gesture.
    } catch (e) {
      setPreviewError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const api422 = fieldError(problems, `prompts/${name}/${lang}`);
  const shown = previewError
    ? {
        validateStatus: 'error' as const,
        help: (
          <span role="alert" data-field={`prompts/${name}/${lang}`}>
            {previewError}
          </span>
        ),
      }
    : api422;
  return (
    <Form.Item label={lang === 'zh' ? t('中文提示音', 'Chinese prompt') : t('英文提示音', 'English prompt')} {...shown}>
      <Space direction="vertical" style={{ width: '100%' }} size={4}>
        <Input.TextArea
          autoSize={{ minRows: 2, maxRows: 5 }}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          data-testid={`prompt-${name}-${lang}`}
          placeholder={lang === 'en' ? t('可不填', 'optional') : undefined}
        />
        <Space>
          <Button
            size="small"
            loading={busy}
            disabled={!value.trim() || value.length > PREVIEW_MAX}
            onClick={() => void play()}
            data-testid={`play-${name}-${lang}`}
          >
            ▶ {t('试听', 'Play')}
          </Button>
          {value.length > PREVIEW_MAX && <span>{t(`试听最多 ${PREVIEW_MAX} 字`, `Preview takes at most ${PREVIEW_MAX} characters`)}</span>}
          {url && (
            <audio
              ref={audio}
              src={url}
              controls
              autoPlay
              style={{ height: 32, width: 300 }}
              data-testid={`audio-${name}-${lang}`}
              data-type={sound?.type}
              data-bytes={sound?.size}
            />
          )}
        </Space>
      </Space>
    </Form.Item>
  );
}
