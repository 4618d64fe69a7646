import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'react';
import { Badge, Button, Select, Space, Typography } from 'antd';
import { SettingOutlined } from '@ant-design/icons';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../../src/core/wallboard/thresholds';
import { get } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { formatPercent, formatTime } from '../../lib/time';
import { AgentTable, type PauseReason } from './AgentTable';
import { countByState, STATE_NAMES, STATES } from './model';
import { QueueTiles } from './QueueTiles';
import { ThresholdsDrawer } from './ThresholdsDrawer';
import { useLiveFeed } from './useLiveFeed';
import { useQueueLabels } from '../../lib/queue-names';
import type { SuperviseActions } from './SupervisionCell';
import { useSupervision } from './useSupervision';

/** Thresholds are the center's, changed from any wallboard: read again this often so every screen follows. */
const THRESHOLDS_EVERY_MS = 30_000;

const ThresholdsButton = memo(function ThresholdsButton({ onClick }: { onClick: () => void }) {
  const t = useT();
  return (
    <Button size="small" icon={<SettingOutlined />} onClick={onClick} data-testid="thresholds-open">
      {t('告警阈值', 'Thresholds')}
    </Button>
  );
});

/**
 * The supervisors' wallboard: every queue as a tile (amber or red past the center's thresholds),
 * every agent as a row with state, pause reason, time in state and current call, and the actions a
 * supervisor may take. Fed by /api/live once a second.
 */
export default function Wallboard() {
  const t = useT();
  const { can, me } = useSession();
  const [configured, setConfigured] = useState<string[]>([]);
  const live = useLiveFeed(configured);
  const [thresholds, setThresholds] = useState<Thresholds>(DEFAULT_THRESHOLDS);
  const [reasons, setReasons] = useState<PauseReason[]>([]);
  const [editing, setEditing] = useState(false);
  const openDrawer = useCallback(() => setEditing(true), []);
  const closeDrawer = useCallback(() => setEditing(false), []);
  const controls = useMemo(() => ({ control: can('agents.control'), assign: can('agents.assign') }), [can]);
  const queueLabels = useQueueLabels();
  const supervising = can('supervise');
  const sup = useSupervision(supervising, me?.agentId ?? null);
  const superviseActs = useMemo<SuperviseActions | undefined>(
    () => (supervising && me ? { me: me.id, start: sup.start, change: sup.change, leave: sup.leave } : undefined),
    [supervising, me, sup.start, sup.change, sup.leave],
  );
  const phoneOptions = useMemo(() => live.agents.map((a) => ({ value: a.agentId, label: `${a.agentId} ${a.name}` })), [live.agents]);

  useEffect(() => {
    const load = () => void get<Thresholds>('/api/wallboard/thresholds').then(setThresholds, () => undefined);
    load();
    const every = setInterval(load, THRESHOLDS_EVERY_MS);
    void get<PauseReason[]>('/api/pause-reasons').then(setReasons, () => undefined);
    // Every queue the routing has, so a queue no caller reached today still shows its tile.
    void get<{ version: number }>('/api/routing/active')
      .then((a) => get<{ queues?: Array<{ queue: string }> }>(`/api/routing/versions/${a.version}`))
      .then(
        (r) => setConfigured((r.queues ?? []).map((q) => q.queue)),
        () => undefined,
      );
    return () => clearInterval(every);
  }, []);
  // For profiling (DevTools, bench/wallboard-frames.ts): when a message's update reached the DOM.
  useLayoutEffect(() => {
    if (live.at) performance.mark('wallboard:applied');
  }, [live.at]);

  const counts = useMemo(() => countByState(live.agents), [live.agents]);
  const queueNames = useMemo(() => {
    const all = new Set(live.queues.map((q) => q.queue));
    for (const a of live.agents) for (const q of a.queues) all.add(q);
    return [...all].sort();
  }, [live.queues, live.agents]);
  const status =
    live.status === 'open'
      ? { s: 'success' as const, text: t('实时', 'Live') }
      : live.status === 'connecting'
        ? { s: 'processing' as const, text: t('连接中', 'Connecting') }
        : { s: 'error' as const, text: t('已断开，重连中', 'Disconnected, retrying') };

  return (
    <div data-testid="wallboard" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 12, flexWrap: 'wrap' }}>
        <Space size={14} wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t('班长监控', 'Wallboard')}
          </Typography.Title>
          <Badge status={status.s} text={<span data-testid="live-status">{status.text}</span>} />
          <span style={{ color: 'rgba(0,0,0,0.45)', fontSize: 12 }}>{live.at ? formatTime(live.at) : ''}</span>
          <span style={{ fontSize: 13 }} data-testid="state-summary">
            {STATES.filter((s) => s !== 'logged_out').map((s) => (
              <span key={s} style={{ marginInlineEnd: 10, whiteSpace: 'nowrap' }}>
                {t(...STATE_NAMES[s])} <b>{counts[s]}</b>
              </span>
            ))}
          </span>
          {live.total ? (
            <span style={{ fontSize: 13, whiteSpace: 'nowrap' }}>
              {t('今日', 'Today')} {t('来电', 'offered')} <b>{live.total.offered}</b> · {t('服务水平', 'SL')}{' '}
              <b>{formatPercent(live.total.serviceLevel)}</b> · {t('放弃率', 'abandon')} <b>{formatPercent(live.total.abandonRate)}</b>
            </span>
          ) : null}
        </Space>
        <Space size={8}>
          {supervising ? (
            me?.agentId ? (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="supervise-phone">
                {t(`监听话机：工号 ${me.agentId}`, `Supervising from phone ${me.agentId}`)}
              </Typography.Text>
            ) : (
              <Space size={4}>
                <Typography.Text style={{ fontSize: 12 }}>{t('监听话机', 'My phone')}</Typography.Text>
                <Select
                  size="small"
                  allowClear
                  showSearch
                  style={{ width: 160 }}
                  placeholder={t('选择您使用的话机', 'The phone you use')}
                  value={sup.phone ?? undefined}
                  onChange={(v?: string) => sup.setPhone(v ?? null)}
                  options={phoneOptions}
                  data-testid="supervise-phone-select"
                />
              </Space>
            )
          ) : null}
          <ThresholdsButton onClick={openDrawer} />
        </Space>
      </div>
      <QueueTiles queues={live.queues} thresholds={thresholds} labels={queueLabels} />
      <AgentTable
        agents={live.agents}
        queues={queueNames}
        labels={queueLabels}
        reasons={reasons}
        controls={controls}
        height="calc(100vh - 352px)"
        supervise={superviseActs}
        supervisions={sup.calls}
      />
      <ThresholdsDrawer open={editing} onClose={closeDrawer} value={thresholds} editable={controls.control} onSaved={setThresholds} />
    </div>
  );
}
