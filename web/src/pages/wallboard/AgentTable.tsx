import { memo, useCallback, useMemo, useState, type CSSProperties } from 'react';
import { App, Button, Dropdown, Form, Input, Modal, Select, Space, Tag, type MenuProps } from 'antd';
import { DownOutlined } from '@ant-design/icons';
import { ApiError, post, put } from '../../lib/api';
import { useT, type T } from '../../lib/i18n';
import { formatDuration } from '../../lib/time';
import { elapsedS, useNowS } from './clock';
import { countByState, STATE_NAMES, STATES, visibleAgents, type AgentFilter, type AgentRow, type AgentState, type SortKey } from './model';

export interface PauseReason {
  code: string;
  zh: string;
  en: string;
}

const STATE_COLORS: Record<AgentState, string> = {
  available: 'green',
  reserved: 'gold',
  on_call: 'blue',
  wrap_up: 'purple',
  paused: 'orange',
  logged_out: 'default',
};

/** Which actions an agent in this state can take (core/agents/state.ts moves' from-states). */
const CAN: Record<'pause' | 'unpause' | 'endWrapUp' | 'logout', readonly AgentState[]> = {
  pause: ['available', 'wrap_up'],
  unpause: ['paused'],
  endWrapUp: ['wrap_up'],
  logout: ['available', 'paused', 'wrap_up'],
};

/** Only this cell re-renders each second: the row around it does not. */
function Elapsed({ since }: { since: number }) {
  const now = useNowS();
  return <>{formatDuration(elapsedS(since, now))}</>;
}

/** An agent never moved since the live state began has no time (since 0): a dash, not 55 years. */
const InState = memo(function InState({ since }: { since: number }) {
  return since > 0 ? <Elapsed since={since} /> : <>—</>;
});

type Action = { kind: 'pause'; reason: string } | { kind: 'unpause' | 'end-wrap-up' | 'logout' | 'move' };

interface RowProps {
  row: AgentRow;
  reasonName: (code: string | null) => string;
  controls: { control: boolean; assign: boolean };
  reasons: readonly PauseReason[];
  onAction: (row: AgentRow, a: Action) => void;
  t: T;
}

const cell: CSSProperties = {
  padding: '3px 8px',
  borderBottom: '1px solid #f0f0f0',
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
};

/** One agent, re-rendered only when its row object changes (model.ts keeps unchanged ones). */
const AgentRowView = memo(function AgentRowView({ row, reasonName, controls, reasons, onAction, t }: RowProps) {
  const items: MenuProps['items'] = [];
  if (controls.control) {
    const pausable = CAN.pause.includes(row.state);
    items.push({
      type: 'group',
      key: 'pause',
      label: t('示忙（原因）', 'Pause (reason)'),
      children: reasons.map((r) => ({
        key: `pause:${r.code}`,
        disabled: !pausable,
        label: <span data-testid={`action-pause-${r.code}`}>{t(r.zh, r.en)}</span>,
      })),
    });
    items.push({ type: 'divider' });
    items.push({
      key: 'unpause',
      disabled: !CAN.unpause.includes(row.state),
      label: <span data-testid="action-unpause">{t('示闲', 'Unpause')}</span>,
    });
    items.push({
      key: 'end-wrap-up',
      disabled: !CAN.endWrapUp.includes(row.state),
      label: <span data-testid="action-end-wrap-up">{t('结束话后处理', 'End wrap-up')}</span>,
    });
    items.push({
      key: 'logout',
      danger: true,
      disabled: !CAN.logout.includes(row.state),
      label: <span data-testid="action-logout">{t('签出', 'Log out')}</span>,
    });
  }
  if (controls.assign) {
    items.push({ type: 'divider' });
    items.push({ key: 'move', label: <span data-testid="action-move">{t('调整队列…', 'Move between queues…')}</span> });
  }
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key.startsWith('pause:')) onAction(row, { kind: 'pause', reason: key.slice('pause:'.length) });
    else onAction(row, { kind: key as 'unpause' | 'end-wrap-up' | 'logout' | 'move' });
  };
  const stateText = t(...STATE_NAMES[row.state]);
  return (
    <tr data-testid={`agent-row-${row.agentId}`} data-state={row.state}>
      <td style={cell}>{row.agentId}</td>
      <td style={{ ...cell, maxWidth: 110 }} title={row.name}>
        {row.name}
      </td>
      <td style={cell}>
        <Tag color={STATE_COLORS[row.state]} style={{ marginInlineEnd: 0 }} data-testid={`agent-state-${row.agentId}`}>
          {row.state === 'paused' && row.pauseReason ? `${stateText} · ${reasonName(row.pauseReason)}` : stateText}
        </Tag>
      </td>
      <td style={{ ...cell, fontVariantNumeric: 'tabular-nums' }}>
        <InState since={row.since} />
      </td>
      <td style={{ ...cell, maxWidth: 220 }}>
        {row.caller || row.callQueue ? [row.caller, row.callQueue].filter(Boolean).join(' · ') : '—'}
      </td>
      <td style={{ ...cell, maxWidth: 260 }} title={row.queues.join(', ')}>
        {row.queues.join(', ') || '—'}
      </td>
      {items.length ? (
        <td style={{ ...cell, overflow: 'visible' }}>
          <Dropdown menu={{ items, onClick }} trigger={['click']}>
            <Button size="small" data-testid={`agent-actions-${row.agentId}`}>
              {t('操作', 'Actions')} <DownOutlined />
            </Button>
          </Dropdown>
        </td>
      ) : null}
    </tr>
  );
});

/** Every agent: filter by state, queue or name; sort by a column; act on one (supervisors). */
export function AgentTable(p: {
  agents: AgentRow[];
  queues: string[];
  reasons: PauseReason[];
  controls: { control: boolean; assign: boolean };
  height: string;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<AgentFilter>({ state: 'all', queue: '', text: '' });
  const [sort, setSort] = useState<SortKey>('state');
  const [moving, setMoving] = useState<AgentRow | null>(null);
  const counts = useMemo(() => countByState(p.agents), [p.agents]);
  const rows = useMemo(() => visibleAgents(p.agents, filter, sort), [p.agents, filter, sort]);
  const names = useMemo(() => new Map(p.reasons.map((r) => [r.code, r])), [p.reasons]);
  const reasonName = useCallback(
    (code: string | null) => {
      const r = code ? names.get(code) : undefined;
      return r ? t(r.zh, r.en) : (code ?? '');
    },
    [names, t],
  );
  const onAction = useCallback(
    (row: AgentRow, a: Action) => {
      if (a.kind === 'move') return setMoving(row);
      const path = `/api/agents/${row.agentId}/${a.kind}`;
      void post(path, a.kind === 'pause' ? { reason: a.reason } : {}).then(
        () => void message.success(`${row.agentId} ${row.name}: ${t('已提交', 'done')}`),
        (err: Error) =>
          void message.error(
            `${row.agentId}: ${err instanceof ApiError && err.status === 409 ? t('当前状态不允许此操作', 'not possible in this state') : err.message}`,
          ),
      );
    },
    [message, t],
  );
  const header = (key: SortKey | null, label: string, width?: number) => (
    <th
      style={{
        ...cell,
        position: 'sticky',
        top: 0,
        background: '#fafafa',
        textAlign: 'left',
        fontWeight: 600,
        cursor: key ? 'pointer' : undefined,
        width,
        zIndex: 1,
      }}
      onClick={key ? () => setSort(key) : undefined}
      data-testid={key ? `sort-${key}` : undefined}
    >
      {label}
      {key && sort === key ? ' ▾' : ''}
    </th>
  );
  const controls = p.controls;
  const acting = controls.control || controls.assign;
  return (
    <div>
      <Space wrap size={8} style={{ marginBottom: 6 }}>
        <Select
          size="small"
          style={{ width: 150 }}
          value={filter.state}
          onChange={(state) => setFilter((f) => ({ ...f, state }))}
          data-testid="filter-state"
          options={[
            { value: 'all', label: `${t('全部状态', 'All states')} (${p.agents.length})` },
            ...STATES.map((s) => ({ value: s, label: `${t(...STATE_NAMES[s])} (${counts[s]})` })),
          ]}
        />
        <Select
          size="small"
          style={{ width: 180 }}
          value={filter.queue}
          showSearch
          onChange={(queue) => setFilter((f) => ({ ...f, queue }))}
          data-testid="filter-queue"
          options={[{ value: '', label: t('全部队列', 'All queues') }, ...p.queues.map((q) => ({ value: q, label: q }))]}
        />
        <Input
          size="small"
          allowClear
          style={{ width: 160 }}
          placeholder={t('工号或姓名', 'Id or name')}
          value={filter.text}
          onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
        />
        <span style={{ color: 'rgba(0,0,0,0.45)', fontSize: 12 }}>
          {t(`显示 ${rows.length} / ${p.agents.length} 名坐席`, `${rows.length} of ${p.agents.length} agents`)}
        </span>
      </Space>
      <div style={{ height: p.height, overflow: 'auto', border: '1px solid #f0f0f0', borderRadius: 6 }}>
        <table
          style={{ width: '100%', borderCollapse: 'separate', borderSpacing: 0, fontSize: 13, tableLayout: 'fixed' }}
          data-testid="agent-table"
        >
          <thead>
            <tr>
              {header('agentId', t('工号', 'Id'), 72)}
              {header('name', t('姓名', 'Name'), 100)}
              {header('state', t('状态', 'State'), 160)}
              {header('since', t('状态时长', 'In state'), 84)}
              {header(null, t('当前来电', 'Current call'), 190)}
              {header(null, t('服务队列', 'Queues'))}
              {acting ? header(null, t('操作', 'Actions'), 88) : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <AgentRowView
                key={r.agentId}
                row={r}
                reasonName={reasonName}
                controls={controls}
                reasons={p.reasons}
                onAction={onAction}
                t={t}
              />
            ))}
          </tbody>
        </table>
        {!rows.length ? <div style={{ padding: 12, color: 'rgba(0,0,0,0.45)' }}>{t('没有符合条件的坐席', 'No agents match')}</div> : null}
      </div>
      <MoveModal row={moving} queues={p.queues} onClose={() => setMoving(null)} />
    </div>
  );
}

/** Move an agent from one of its queues to another (PUT /api/agents/:id/assignment with its new list). */
function MoveModal({ row, queues, onClose }: { row: AgentRow | null; queues: string[]; onClose: () => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [from, setFrom] = useState<string | undefined>();
  const [to, setTo] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const close = () => {
    setFrom(undefined);
    setTo(undefined);
    setError(null);
    onClose();
  };
  const save = async () => {
    if (!row || !to) return setError(t('请选择移入的队列', 'Choose the queue to move to'));
    const next = [...row.queues.filter((q) => q !== from && q !== to), to];
    setSaving(true);
    try {
      await put(`/api/agents/${row.agentId}/assignment`, { queues: next });
      void message.success(t(`${row.agentId} 已调整到 ${next.join(', ')}`, `${row.agentId} now serves ${next.join(', ')}`));
      close();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal
      open={!!row}
      title={row ? t(`调整队列：${row.agentId} ${row.name}`, `Move ${row.agentId} ${row.name}`) : ''}
      onCancel={close}
      onOk={() => void save()}
      okText={t('保存', 'Save')}
      cancelText={t('取消', 'Cancel')}
      confirmLoading={saving}
      okButtonProps={{ 'data-testid': 'move-save' } as Record<`data-${string}`, string>}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('当前队列', 'Serves now')}>{row?.queues.join(', ') || '—'}</Form.Item>
        <Form.Item label={t('移出（可不选，只加入）', 'Move out of (optional: only add)')}>
          <Select
            allowClear
            value={from}
            onChange={setFrom}
            data-testid="move-from"
            options={(row?.queues ?? []).map((q) => ({ value: q, label: q }))}
          />
        </Form.Item>
        <Form.Item label={t('移入', 'Move into')} validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
          <Select
            showSearch
            value={to}
            onChange={setTo}
            data-testid="move-to"
            options={queues.filter((q) => !row?.queues.includes(q)).map((q) => ({ value: q, label: q }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
