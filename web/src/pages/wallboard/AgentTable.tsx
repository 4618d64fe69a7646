import { memo, useCallback, useMemo, useState, type CSSProperties } from 'react';
import { App, Dropdown, Form, Input, Modal, Select, Space, type MenuProps } from 'antd';
import { ApiError, post, put } from '../../lib/api';
import { useT, type T } from '../../lib/i18n';
import { formatDuration } from '../../lib/time';
import { elapsedS, useNowS } from './clock';
import { countByState, STATE_NAMES, STATES, visibleAgents, type AgentFilter, type AgentRow, type AgentState, type SortKey } from './model';
import { SupervisionCell, type SuperviseActions } from './SupervisionCell';
import type { Supervision } from './supervision';

export interface PauseReason {
  code: string;
  zh: string;
  en: string;
}

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
  /** Whether this account may act on agents at all (the column is there). */
  acting: boolean;
  onMenu: (row: AgentRow, at: HTMLElement) => void;
  /** What people call a queue (国税 · 增值税 for ntax-vat); its code if the IVR names it nowhere. */
  queueName: (queue: string) => string;
  /** Supervision of this row's call (accounts that may supervise); undefined: no column. */
  supervise?: SuperviseActions;
  /** The active supervisions of this row's call. */
  supervisions?: readonly Supervision[];
  t: T;
}

const cell: CSSProperties = {
  padding: '0 8px',
  whiteSpace: 'nowrap',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
};
/** Columns' widths (px; 0: takes what is left), the same for the header and every row; the last: supervision. */
const WIDTHS = [72, 100, 160, 84, 200, 0, 88, 300] as const;
const col = (i: number): CSSProperties => (WIDTHS[i] ? { ...cell, flex: `0 0 ${WIDTHS[i]}px` } : { ...cell, flex: '1 1 0', minWidth: 0 });
const COLS = WIDTHS.map((_, i) => col(i));
const ROW_H = 30;
/**
 * Rows are flex boxes of a fixed height, not table rows: a row's change lays out that row only,
 * and rows scrolled out of sight are neither laid out nor painted (content-visibility).
 */
const rowStyle: CSSProperties = {
  display: 'flex',
  alignItems: 'center',
  height: ROW_H,
  borderBottom: '1px solid #f0f0f0',
  contain: 'strict',
  contentVisibility: 'auto',
  containIntrinsicSize: `auto ${ROW_H}px`,
};
/** Plain elements in the rows (no Ant Design component per row): 200 rows, many changing each second. */
const TAG: Record<AgentState, CSSProperties> = {
  available: { color: '#389e0d', background: '#f6ffed', borderColor: '#b7eb8f' },
  reserved: { color: '#d48806', background: '#fffbe6', borderColor: '#ffe58f' },
  on_call: { color: '#0958d9', background: '#e6f4ff', borderColor: '#91caff' },
  wrap_up: { color: '#531dab', background: '#f9f0ff', borderColor: '#d3adf7' },
  paused: { color: '#d46b08', background: '#fff7e6', borderColor: '#ffd591' },
  logged_out: { color: 'rgba(0,0,0,0.65)', background: '#fafafa', borderColor: '#d9d9d9' },
};
const tagBase: CSSProperties = {
  display: 'inline-block',
  padding: '0 7px',
  fontSize: 12,
  lineHeight: '20px',
  border: '1px solid',
  borderRadius: 4,
};
const actButton: CSSProperties = {
  height: 24,
  padding: '0 8px',
  fontSize: 13,
  border: '1px solid #d9d9d9',
  borderRadius: 4,
  background: '#fff',
  cursor: 'pointer',
  color: 'rgba(0,0,0,0.88)',
};

/** One agent, re-rendered only when its row object changes (model.ts keeps unchanged ones). */
const AgentRowView = memo(function AgentRowView({ row, reasonName, acting, onMenu, queueName, supervise, supervisions, t }: RowProps) {
  const stateText = t(...STATE_NAMES[row.state]);
  return (
    <div data-testid={`agent-row-${row.agentId}`} data-state={row.state} role="row" style={rowStyle}>
      <div style={COLS[0]}>{row.agentId}</div>
      <div style={COLS[1]} title={row.name}>
        {row.name}
      </div>
      <div style={COLS[2]}>
        <span style={{ ...tagBase, ...TAG[row.state] }} data-testid={`agent-state-${row.agentId}`}>
          {row.state === 'paused' && row.pauseReason ? `${stateText} · ${reasonName(row.pauseReason)}` : stateText}
        </span>
      </div>
      <div style={{ ...COLS[3], fontVariantNumeric: 'tabular-nums' }}>
        <InState since={row.since} />
      </div>
      <div style={COLS[4]}>
        {row.caller || row.callQueue ? [row.caller, row.callQueue && queueName(row.callQueue)].filter(Boolean).join(' · ') : '—'}
      </div>
      <div style={COLS[5]} title={row.queues.map((q) => `${queueName(q)} (${q})`).join('\n')}>
        {row.queues.map(queueName).join('、') || '—'}
      </div>
      {acting ? (
        <div style={{ ...COLS[6], overflow: 'visible' }}>
          <button
            type="button"
            style={actButton}
            data-testid={`agent-actions-${row.agentId}`}
            onClick={(e) => onMenu(row, e.currentTarget)}
          >
            {t('操作', 'Actions')} ▾
          </button>
        </div>
      ) : null}
      {supervise ? (
        <div style={{ ...COLS[7], overflow: 'visible' }}>
          {/* Only a bridged call can be listened to, whispered into or barged into. */}
          {row.state === 'on_call' && row.callId ? (
            <SupervisionCell callId={row.callId} agentId={row.agentId} list={supervisions} act={supervise} t={t} />
          ) : null}
        </div>
      ) : null}
    </div>
  );
});

/** The actions on one agent, for one menu shared by every row (opened at the row's button). */
function actionItems(
  row: AgentRow,
  controls: { control: boolean; assign: boolean },
  reasons: readonly PauseReason[],
  t: T,
): MenuProps['items'] {
  const items: NonNullable<MenuProps['items']> = [];
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
  return items;
}

/** Every agent: filter by state, queue or name; sort by a column; act on one (supervisors). */
export function AgentTable(p: {
  agents: AgentRow[];
  queues: string[];
  /** Queue codes to the names people use (lib/queue-names.ts). */
  labels: ReadonlyMap<string, string>;
  reasons: PauseReason[];
  controls: { control: boolean; assign: boolean };
  height: string;
  /** For accounts that may supervise: the actions and the active supervisions per call. */
  supervise?: SuperviseActions;
  supervisions?: ReadonlyMap<string, readonly Supervision[]>;
}) {
  const t = useT();
  const { message } = App.useApp();
  const [filter, setFilter] = useState<AgentFilter>({ state: 'all', queue: '', text: '' });
  const [sort, setSort] = useState<SortKey>('state');
  const [moving, setMoving] = useState<AgentRow | null>(null);
  const [menu, setMenu] = useState<{ agentId: string; rect: DOMRect } | null>(null);
  const onMenu = useCallback(
    (row: AgentRow, at: HTMLElement) =>
      setMenu((m) => (m?.agentId === row.agentId ? null : { agentId: row.agentId, rect: at.getBoundingClientRect() })),
    [],
  );
  // The row as it is now: it may have changed state since the menu opened.
  const menuRow = menu ? p.agents.find((a) => a.agentId === menu.agentId) : undefined;
  const counts = useMemo(() => countByState(p.agents), [p.agents]);
  // Ant Design's Selects are the heaviest things here: given the same options, they skip the second's render.
  const total = p.agents.length;
  const countsKey = STATES.map((s) => counts[s]).join(',');
  const stateOptions = useMemo(
    (): Options<AgentState | 'all'> => [
      { value: 'all' as const, label: `${t('全部状态', 'All states')} (${total})` },
      ...STATES.map((s, i) => ({ value: s, label: `${t(...STATE_NAMES[s])} (${countsKey.split(',')[i]})` })),
    ],
    [countsKey, total, t],
  );
  const queueName = useCallback((q: string) => p.labels.get(q) ?? q, [p.labels]);
  const queueOptions = useMemo(
    () => [{ value: '', label: t('全部队列', 'All queues') }, ...p.queues.map((q) => queueOption(q, queueName))],
    [p.queues, queueName, t],
  );
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
  const header = (i: number, key: SortKey | null, label: string) => (
    <div
      role="columnheader"
      style={{ ...COLS[i], fontWeight: 600, cursor: key ? 'pointer' : undefined }}
      onClick={key ? () => setSort(key) : undefined}
      data-testid={key ? `sort-${key}` : undefined}
    >
      {label}
      {key && sort === key ? ' ▾' : ''}
    </div>
  );
  const controls = p.controls;
  const acting = controls.control || controls.assign;
  return (
    <div>
      <FilterBar
        filter={filter}
        setFilter={setFilter}
        stateOptions={stateOptions}
        queueOptions={queueOptions}
        shown={rows.length}
        total={p.agents.length}
      />
      <div style={{ height: p.height, overflow: 'auto', border: '1px solid #f0f0f0', borderRadius: 6 }}>
        <div role="table" data-testid="agent-table" style={{ fontSize: 13, minWidth: p.supervise ? 1120 : 820 }}>
          <div
            role="row"
            style={{
              display: 'flex',
              alignItems: 'center',
              height: ROW_H,
              position: 'sticky',
              top: 0,
              zIndex: 1,
              background: '#fafafa',
              borderBottom: '1px solid #f0f0f0',
            }}
          >
            {header(0, 'agentId', t('工号', 'Id'))}
            {header(1, 'name', t('姓名', 'Name'))}
            {header(2, 'state', t('状态', 'State'))}
            {header(3, 'since', t('状态时长', 'In state'))}
            {header(4, null, t('当前来电', 'Current call'))}
            {header(5, null, t('服务队列', 'Queues'))}
            {acting ? header(6, null, t('操作', 'Actions')) : null}
            {p.supervise ? header(7, null, t('监听 / 耳语 / 强插', 'Listen / whisper / barge')) : null}
          </div>
          {rows.map((r) => (
            <AgentRowView
              key={r.agentId}
              row={r}
              reasonName={reasonName}
              acting={acting}
              onMenu={onMenu}
              queueName={queueName}
              supervise={p.supervise}
              supervisions={r.callId ? p.supervisions?.get(r.callId) : undefined}
              t={t}
            />
          ))}
        </div>
        {!rows.length ? <div style={{ padding: 12, color: 'rgba(0,0,0,0.45)' }}>{t('没有符合条件的坐席', 'No agents match')}</div> : null}
      </div>
      {menu && menuRow ? (
        <Dropdown
          open
          trigger={['click']}
          onOpenChange={(open) => !open && setMenu(null)}
          menu={{
            items: actionItems(menuRow, controls, p.reasons, t),
            onClick: ({ key }) => {
              setMenu(null);
              if (key.startsWith('pause:')) onAction(menuRow, { kind: 'pause', reason: key.slice('pause:'.length) });
              else onAction(menuRow, { kind: key as 'unpause' | 'end-wrap-up' | 'logout' | 'move' });
            },
          }}
        >
          <div
            style={{
              position: 'fixed',
              left: menu.rect.left,
              top: menu.rect.top,
              width: menu.rect.width,
              height: menu.rect.height,
              pointerEvents: 'none',
            }}
          />
        </Dropdown>
      ) : null}
      <MoveModal row={moving} queues={p.queues} queueName={queueName} onClose={() => setMoving(null)} />
    </div>
  );
}

type Options<V extends string> = Array<{ value: V; label: string }>;

/** The filters above the table: memoized, so a message that changed no count leaves them alone. */
const FilterBar = memo(function FilterBar(p: {
  filter: AgentFilter;
  setFilter: React.Dispatch<React.SetStateAction<AgentFilter>>;
  stateOptions: Options<AgentState | 'all'>;
  queueOptions: Options<string>;
  shown: number;
  total: number;
}) {
  const t = useT();
  const { filter, setFilter } = p;
  return (
    <Space wrap size={8} style={{ marginBottom: 6 }}>
      <Select
        size="small"
        style={{ width: 150 }}
        value={filter.state}
        onChange={(state) => setFilter((f) => ({ ...f, state }))}
        data-testid="filter-state"
        options={p.stateOptions}
      />
      <Select
        size="small"
        style={{ width: 180 }}
        value={filter.queue}
        showSearch
        optionFilterProp="search"
        onChange={(queue) => setFilter((f) => ({ ...f, queue }))}
        data-testid="filter-queue"
        options={p.queueOptions}
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
        {t(`显示 ${p.shown} / ${p.total} 名坐席`, `${p.shown} of ${p.total} agents`)}
      </span>
    </Space>
  );
});

/** Move an agent from one of its queues to another (PUT /api/agents/:id/assignment with its new list). */
function MoveModal({
  row,
  queues,
  queueName,
  onClose,
}: {
  row: AgentRow | null;
  queues: string[];
  queueName: (q: string) => string;
  onClose: () => void;
}) {
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
      const names = next.map(queueName);
      void message.success(t(`${row.agentId} 已调整到 ${names.join('、')}`, `${row.agentId} now serves ${names.join(', ')}`));
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
        <Form.Item label={t('当前队列', 'Serves now')}>{row?.queues.map(queueName).join('、') || '—'}</Form.Item>
        <Form.Item label={t('移出（可不选，只加入）', 'Move out of (optional: only add)')}>
          <Select
            allowClear
            value={from}
            onChange={setFrom}
            data-testid="move-from"
            options={(row?.queues ?? []).map((q) => queueOption(q, queueName))}
          />
        </Form.Item>
        <Form.Item label={t('移入', 'Move into')} validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
          <Select
            showSearch
            value={to}
            onChange={setTo}
            data-testid="move-to"
            optionFilterProp="search"
            options={queues.filter((q) => !row?.queues.includes(q)).map((q) => queueOption(q, queueName))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** A queue in a list: its name, its code alongside (what routing and the API call it), found by either. */
function queueOption(q: string, queueName: (q: string) => string) {
  const name = queueName(q);
  return { value: q, label: name === q ? q : `${name}（${q}）`, title: q, search: `${name} ${q}` };
}
