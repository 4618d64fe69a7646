import { useEffect, useState } from 'react';
import { Alert, App, Badge, Button, Card, Col, Descriptions, Empty, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { ApiError, get, post } from '../../lib/api';
import { useLang, useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { formatDateTime, formatDuration } from '../../lib/time';
import { actionsFor, keysLabel, outcomeName, secondsInState, STATE_COLORS, STATE_NAMES, waitSeconds } from './desktop-format';
import { useDesktopChannel, type ScreenPop } from './useDesktopChannel';
import { MyScores } from './MyScores';
import { SummaryForm, useOpenedArticles, useSummaryCall } from './SummaryForm';
import { EDIT_WINDOW_MS, editableFromHistory } from './summary-form';
import KbPanel from './KbPanel';
import CreateWorkOrder from './CreateWorkOrder';

interface PauseReason {
  code: string;
  zh: string;
  en: string;
}

/** Re-renders every second: time in state and the caller's wait tick on screen. */
function useSecondTick(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/**
 * The agent's own desktop: state and time in it, the buttons for the moves that state allows, and
 * the screen pop of the call being offered or talked (caller, where from, IVR path, business line,
 * wait, earlier calls). Everything comes from the server's live view over the agent's WebSocket,
 * so a reload during a call shows the same pop.
 */
export default function AgentDesktop() {
  const t = useT();
  const { lang } = useLang();
  const { me } = useSession();
  const agentId = me?.agentId ?? '';
  const { frame, skewMs, connected, shownAt } = useDesktopChannel(agentId);
  const now = useSecondTick();
  const serverNow = now - skewMs;
  const { message } = App.useApp();
  const [reasons, setReasons] = useState<PauseReason[]>([]);
  const [reason, setReason] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const summary = useSummaryCall(frame);
  // Articles opened during the call in the pop: the knowledge-base panel's onArticleOpened is opened.add.
  const opened = useOpenedArticles(frame?.pop?.callId);

  useEffect(() => {
    get<PauseReason[]>('/api/pause-reasons').then(
      (r) => {
        setReasons(r);
        setReason((cur) => cur ?? r[0]?.code);
      },
      () => undefined,
    );
  }, []);

  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    try {
      await post(`/api/agents/${encodeURIComponent(agentId)}/${path}`, body);
    } catch (e) {
      message.error(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const name = (r: [string, string]) => (lang === 'zh' ? r[0] : r[1]);
  const state = frame?.state ?? 'logged_out';
  const can = actionsFor(state);
  const reasonName = (code: string | null) => {
    const r = reasons.find((x) => x.code === code);
    return r ? (lang === 'zh' ? r.zh : r.en) : (code ?? '');
  };
  const inState = secondsInState(frame?.since ?? null, serverNow);

  return (
    <div data-testid="agent-desktop">
      <Space align="center" style={{ marginBottom: 12 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('坐席工作台', 'Agent desktop')}
        </Typography.Title>
        <Typography.Text type="secondary">
          {frame?.name ?? ''} · {t('工号', 'Agent')} {agentId}
        </Typography.Text>
        <Badge
          status={connected ? 'success' : 'error'}
          text={connected ? t('实时连接', 'Live') : t('连接中断，正在重连', 'Reconnecting')}
        />
        <CreateWorkOrder call={frame?.pop ?? undefined} />
      </Space>
      {frame && !frame.registered && state !== 'logged_out' && (
        <Alert
          style={{ marginBottom: 12 }}
          type="warning"
          showIcon
          message={t('话机未注册：登录话机后才能接到来电', 'Your phone is not registered: calls reach you once it is')}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Card title={t('我的状态', 'My state')}>
            <div data-testid="agent-state" data-state={frame ? state : ''} style={{ marginBottom: 16 }}>
              <Tag color={STATE_COLORS[state]} style={{ fontSize: 18, padding: '4px 12px', lineHeight: '28px' }}>
                {name(STATE_NAMES[state])}
                {state === 'paused' && frame?.pauseReason ? ` · ${reasonName(frame.pauseReason)}` : ''}
              </Tag>
              <Typography.Text data-testid="time-in-state" style={{ fontSize: 18, marginLeft: 8 }}>
                {formatDuration(inState)}
              </Typography.Text>
            </div>
            <Space wrap style={{ marginBottom: 12 }}>
              {can.login && (
                <Button type="primary" data-testid="btn-login" loading={busy} onClick={() => void act('login')}>
                  {t('登录', 'Log in')}
                </Button>
              )}
              <Button data-testid="btn-available" type="primary" disabled={!can.available || busy} onClick={() => void act('unpause')}>
                {t('示闲', 'Available')}
              </Button>
              <Button data-testid="btn-end-wrap-up" disabled={!can.endWrapUp || busy} onClick={() => void act('end-wrap-up')}>
                {t('结束话后处理', 'End wrap-up')}
              </Button>
              <Button data-testid="btn-logout" danger disabled={!can.logout || busy} onClick={() => void act('logout')}>
                {t('签出', 'Log out')}
              </Button>
            </Space>
            <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
              <Select
                data-testid="pause-reason"
                aria-label={t('示忙原因', 'Pause reason')}
                style={{ flex: 1 }}
                value={reason}
                onChange={setReason}
                options={reasons.map((r) => ({ value: r.code, label: lang === 'zh' ? r.zh : r.en }))}
              />
              <Button data-testid="btn-pause" disabled={!can.pause || busy || !reason} onClick={() => void act('pause', { reason })}>
                {t('示忙', 'Pause')}
              </Button>
            </Space.Compact>
            <div data-testid="answered-today">
              <Statistic title={t('今日已接来电', 'Calls answered today')} value={frame?.answeredToday ?? '—'} />
            </div>
          </Card>
          <div style={{ marginTop: 16 }}>{agentId && <MyScores agentId={agentId} />}</div>
        </Col>
        <Col xs={24} lg={16}>
          {frame?.pop ? (
            <PopCard
              pop={frame.pop}
              serverNow={serverNow}
              shownAt={shownAt[frame.pop.callId]}
              onSummary={(h) => (editableFromHistory(h, agentId, serverNow, EDIT_WINDOW_MS) ? () => summary.open(h.callId) : undefined)}
            />
          ) : (
            <Card title={t('来电弹屏', 'Screen pop')}>
              <Empty
                description={
                  state === 'available'
                    ? t('等待来电', 'Waiting for a call')
                    : state === 'logged_out'
                      ? t('请先登录以接听来电', 'Log in to take calls')
                      : t('当前没有来电', 'No call right now')
                }
              />
            </Card>
          )}
          {summary.callId && (
            <SummaryForm key={summary.callId} callId={summary.callId} openedArticles={opened.list} onClose={summary.close} />
          )}
          <div style={{ marginTop: 16 }}>
            <KbPanel callId={frame?.pop?.callId} onArticleOpened={opened.add} />
          </div>
        </Col>
      </Row>
    </div>
  );
}

type HistoryRow = ScreenPop['history'][number];

function PopCard({
  pop,
  serverNow,
  shownAt,
  onSummary,
}: {
  pop: ScreenPop;
  serverNow: number;
  shownAt: number | undefined;
  /** For an earlier call this agent may still summarize: what opens its summary form. */
  onSummary: (h: HistoryRow) => (() => void) | undefined;
}) {
  const t = useT();
  const { lang } = useLang();
  return (
    <Card
      title={t('来电弹屏', 'Screen pop')}
      data-testid="screen-pop"
      data-call-id={pop.callId}
      data-offered-at={pop.offeredAt ?? ''}
      data-shown-at={shownAt ?? ''}
      styles={{ header: { background: '#e6f4ff' } }}
    >
      <Descriptions column={2} size="small" bordered styles={{ label: { whiteSpace: 'nowrap' } }}>
        <Descriptions.Item label={t('来电号码', 'Caller')}>
          <Typography.Text strong style={{ fontSize: 18 }} data-testid="pop-caller" copyable>
            {pop.caller}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('归属地', 'From')}>
          <span data-testid="pop-region">{lang === 'zh' ? pop.region.zh : pop.region.en}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('导航路径', 'IVR path')}>
          <span data-testid="pop-path">
            {t('按键', 'Keys')} {keysLabel(pop.keys)}
            <Typography.Text type="secondary"> （{pop.nodes.join(' › ')}）</Typography.Text>
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('业务 / 队列', 'Line / queue')}>
          <span data-testid="pop-queue">
            {pop.lineLabel ?? '—'}
            {pop.queue ? <Typography.Text type="secondary"> （{pop.queue}）</Typography.Text> : null}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('排队等待', 'Waited')} span={2}>
          <span data-testid="pop-wait">{formatDuration(waitSeconds(pop, serverNow))}</span>
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('来电历史', 'Earlier calls')}
      </Typography.Title>
      <div data-testid="pop-history">
        <Table
          size="small"
          rowKey="callId"
          pagination={false}
          dataSource={pop.history}
          locale={{ emptyText: t('此号码没有更早的来电', 'No earlier calls from this number') }}
          columns={[
            { title: t('时间', 'When'), dataIndex: 'at', render: (v: number) => formatDateTime(v), width: 170 },
            {
              title: t('坐席', 'Agent'),
              render: (_: unknown, h: ScreenPop['history'][number]) => (h.agentId ? `${h.agentName ?? ''} ${h.agentId}`.trim() : '—'),
            },
            {
              title: t('业务', 'Line'),
              render: (_: unknown, h: ScreenPop['history'][number]) => (h.line ? [h.line, h.subLine].filter(Boolean).join(' → ') : '—'),
            },
            {
              title: t('结果', 'Outcome'),
              dataIndex: 'outcome',
              render: (v: string | null) => {
                const [zh, en] = outcomeName(v);
                return lang === 'zh' ? zh : en;
              },
            },
            {
              title: t('小结', 'Summary'),
              render: (_: unknown, h: HistoryRow) => {
                const open = onSummary(h);
                return (
                  <span data-testid="pop-history-summary">
                    {h.summary ?? '—'}
                    {open && (
                      <Button type="link" size="small" onClick={open}>
                        {h.summary ? t('修改', 'Edit') : t('填写', 'Write')}
                      </Button>
                    )}
                  </span>
                );
              },
            },
          ]}
        />
      </div>
    </Card>
  );
}
