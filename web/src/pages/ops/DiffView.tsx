import { useMemo } from 'react';
import { Empty, Space, Tag, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { diffRows, diffStats } from './config-diff';

const COLORS = {
  add: { background: '#e6ffec', color: '#1a7f37', mark: '+' },
  del: { background: '#ffebe9', color: '#cf222e', mark: '−' },
  same: { background: 'transparent', color: 'inherit', mark: ' ' },
} as const;

/** A unified, coloured line diff of two configuration documents (canonical YAML), unchanged runs folded. */
export function DiffView({ before, after, labels }: { before: unknown; after: unknown; labels: [string, string] }) {
  const t = useT();
  const rows = useMemo(() => diffRows(before, after), [before, after]);
  const stats = diffStats(rows);
  return (
    <div data-testid="diff">
      <Space style={{ marginBottom: 8 }} wrap>
        <Typography.Text type="secondary">
          {labels[0]} → {labels[1]}
        </Typography.Text>
        <Tag color="green" data-testid="diff-added">
          +{stats.added}
        </Tag>
        <Tag color="red" data-testid="diff-removed">
          −{stats.removed}
        </Tag>
      </Space>
      {stats.added + stats.removed === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('两个版本内容相同', 'The two versions are the same')} />
      ) : (
        <pre
          style={{
            fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace',
            fontSize: 12,
            lineHeight: '18px',
            border: '1px solid #f0f0f0',
            borderRadius: 6,
            margin: 0,
            maxHeight: 420,
            overflow: 'auto',
          }}
        >
          {rows.map((r, i) =>
            r.kind === 'skip' ? (
              <div key={i} style={{ background: '#f6f8fa', color: '#8c8c8c', padding: '0 8px' }}>
                ⋯ {t(`${r.text} 行未改动`, `${r.text} unchanged lines`)}
              </div>
            ) : (
              <div
                key={i}
                data-diff={r.kind}
                style={{ background: COLORS[r.kind].background, color: COLORS[r.kind].color, display: 'flex' }}
              >
                <span style={{ width: 36, textAlign: 'right', color: '#8c8c8c', paddingRight: 4, flex: 'none' }}>{r.oldNo ?? ''}</span>
                <span style={{ width: 36, textAlign: 'right', color: '#8c8c8c', paddingRight: 8, flex: 'none' }}>{r.newNo ?? ''}</span>
                <span style={{ width: 14, flex: 'none' }}>{COLORS[r.kind].mark}</span>
                <span style={{ whiteSpace: 'pre' }}>{r.text}</span>
              </div>
            ),
          )}
        </pre>
      )}
    </div>
  );
}
