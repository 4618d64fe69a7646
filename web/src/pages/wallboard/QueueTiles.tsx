import { memo } from 'react';
import {
  figuresInUnits,
  metricLevel,
  tileLevel,
  type Level,
  type Metric,
  type Thresholds,
} from '../../../../src/core/wallboard/thresholds';
import { useT } from '../../lib/i18n';
import { formatDuration, formatPercent } from '../../lib/time';
import type { QueueView } from './model';

export const LEVEL_COLORS: Record<Level, { bg: string; border: string; text: string }> = {
  ok: { bg: '#ffffff', border: '#d9d9d9', text: 'rgba(0,0,0,0.88)' },
  amber: { bg: '#fff7e6', border: '#fa8c16', text: '#ad4e00' },
  red: { bg: '#fff1f0', border: '#f5222d', text: '#a8071a' },
};

/** One figure on a tile, coloured by its own level. */
function Figure({ label, value, level }: { label: string; value: string; level: Level }) {
  return (
    <div style={{ minWidth: 0 }}>
      <div style={{ fontSize: 11, color: 'rgba(0,0,0,0.5)', whiteSpace: 'nowrap' }}>{label}</div>
      <div style={{ fontSize: 14, fontWeight: 600, color: LEVEL_COLORS[level].text, whiteSpace: 'nowrap' }}>{value}</div>
    </div>
  );
}

/** A queue's tile: waiting in large type, then longest wait, today's service level and abandon rate, agents serving. */
export const QueueTile = memo(function QueueTile({ q, thresholds, label }: { q: QueueView; thresholds: Thresholds; label?: string }) {
  const t = useT();
  const level = tileLevel(q, thresholds);
  const v = figuresInUnits(q);
  const lv = (m: Metric) => metricLevel(m, v[m], thresholds);
  const c = LEVEL_COLORS[level];
  return (
    <div
      data-testid={`queue-tile-${q.queue}`}
      data-waiting={q.waiting}
      data-level={level}
      data-waiting-level={lv('waiting')}
      style={{
        background: c.bg,
        border: `1px solid ${c.border}`,
        borderLeft: `4px solid ${c.border}`,
        borderRadius: 6,
        padding: '5px 8px',
        display: 'flex',
        flexDirection: 'column',
        gap: 4,
        // A tile's change lays out that tile only; tiles scrolled out of sight are skipped.
        contain: 'layout paint style',
        contentVisibility: 'auto',
        containIntrinsicSize: 'auto 78px',
      }}
    >
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: 6 }}>
        <span
          title={label ? `${label} (${q.queue})` : q.queue}
          style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
        >
          {label ?? q.queue}
        </span>
        <span style={{ fontSize: 11, color: 'rgba(0,0,0,0.5)', whiteSpace: 'nowrap' }}>
          {t('在岗', 'Serving')} {q.serving}
        </span>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'auto 1fr 1fr 1fr', gap: 6, alignItems: 'end' }}>
        <div>
          <div style={{ fontSize: 11, color: 'rgba(0,0,0,0.5)', whiteSpace: 'nowrap' }}>{t('排队', 'Waiting')}</div>
          <div style={{ fontSize: 22, lineHeight: '24px', fontWeight: 700, color: LEVEL_COLORS[lv('waiting')].text }}>{q.waiting}</div>
        </div>
        <Figure label={t('最长等待', 'Longest')} value={formatDuration(q.longestWaitS)} level={lv('longestWaitS')} />
        <Figure label={t('服务水平', 'Svc level')} value={formatPercent(q.serviceLevel)} level={lv('serviceLevelPct')} />
        <Figure label={t('放弃率', 'Abandon')} value={formatPercent(q.abandonRate)} level={lv('abandonRatePct')} />
      </div>
    </div>
  );
});

export function QueueTiles({ queues, thresholds, labels }: { queues: QueueView[]; thresholds: Thresholds; labels?: Map<string, string> }) {
  const t = useT();
  if (!queues.length) return <div style={{ color: 'rgba(0,0,0,0.45)', padding: 8 }}>{t('暂无队列数据', 'No queues yet')}</div>;
  return (
    <div
      data-testid="queue-tiles"
      style={{
        display: 'grid',
        gridTemplateColumns: 'repeat(auto-fill, minmax(212px, 1fr))',
        gap: 8,
        maxHeight: 176,
        overflowY: 'auto',
        paddingRight: 2,
      }}
    >
      {queues.map((q) => (
        <QueueTile key={q.queue} q={q} thresholds={thresholds} label={labels?.get(q.queue)} />
      ))}
    </div>
  );
}
