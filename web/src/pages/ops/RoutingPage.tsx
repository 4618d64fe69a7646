import { useState } from 'react';
import { App, Button, Card, Col, Form, InputNumber, Row, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { fieldError } from './fields';
import { ConfigHeader } from './ConfigHeader';
import { problemsUnder } from './problems';
import {
  EXPIRY_ACTIONS,
  STRATEGIES,
  queueNames,
  withQueue,
  withStep,
  withStepAdded,
  withStepRemoved,
  type QueueRules,
  type Routing,
  type Step,
} from './routing-doc';
import { Simulator } from './Simulator';
import { StepSkillsInput } from './StepSkillsInput';
import { useVersionedDoc } from './use-versioned-doc';
import { VersionsPanel } from './VersionsPanel';

const STRATEGY_NAMES: Record<string, [string, string]> = {
  longest_idle: ['空闲最久优先', 'Longest idle'],
  most_skilled: ['技能最高优先', 'Most skilled'],
  fewest_calls: ['接听最少优先', 'Fewest calls'],
  round_robin: ['轮流分配', 'Round robin'],
};
const EXPIRY_NAMES: Record<string, [string, string]> = {
  overflow: ['溢出到其他队列', 'Overflow'],
  callback: ['预约回电', 'Callback'],
  voicemail: ['留言', 'Voicemail'],
  message_hangup: ['播放提示后挂机', 'Message, hang up'],
};

/** 路由规则: queues and their widening steps, edited, saved as a draft, compared, simulated, activated. */
export default function RoutingPage() {
  const t = useT();
  const { message } = App.useApp();
  const c = useVersionedDoc<Routing>('routing');
  const [tab, setTab] = useState('rules');
  const [selected, setSelected] = useState(0);
  const [comment, setComment] = useState('');
  const active = c.versions.find((v) => v.active)?.version;
  const doc = c.doc;

  const save = async () => {
    const v = await c.save(comment);
    if (v !== undefined) {
      message.success(t(`已保存为草稿：版本 ${v}`, `Saved as draft version ${v}`));
      setComment('');
    } else {
      // Show the queue the first problem is in.
      setTab('rules');
    }
  };
  // After a refused save, the queue of the first problem is the one shown.
  const firstQueue = c.problems.map((p) => /^\/queues\/(\d+)/.exec(p.path)?.[1]).find((q) => q !== undefined);
  const shown =
    firstQueue !== undefined && c.problems.length && !problemsUnder(c.problems, `queues/${selected}`).length
      ? Number(firstQueue)
      : selected;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <ConfigHeader
        kind="routing"
        title={['路由规则', 'Routing']}
        active={active}
        c={c}
        comment={comment}
        setComment={setComment}
        save={save}
      />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'rules',
            label: t('队列与步骤', 'Queues and steps'),
            children: doc ? (
              <Row gutter={16} wrap={false}>
                <Col flex="250px">
                  <div role="listbox" style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 4, background: '#fff' }}>
                    {doc.queues.map((q, i) => (
                      <div
                        key={i}
                        role="option"
                        aria-selected={i === shown}
                        tabIndex={0}
                        data-testid={`queue-${q.queue}`}
                        onClick={() => setSelected(i)}
                        onKeyDown={(e) => e.key === 'Enter' && setSelected(i)}
                        style={{
                          padding: '8px 12px',
                          borderRadius: 4,
                          cursor: 'pointer',
                          background: i === shown ? '#e6f4ff' : undefined,
                          color: i === shown ? '#1677ff' : undefined,
                        }}
                      >
                        {q.queue}
                        <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>
                          {t(...STRATEGY_NAMES[q.strategy]!)}
                        </Typography.Text>
                        {q.survey && (
                          <Tag color="green" style={{ marginLeft: 6 }} data-testid={`queue-survey-on-${q.queue}`}>
                            {t('满意度', 'Survey')}
                          </Tag>
                        )}
                        {problemsUnder(c.problems, `queues/${i}`).length > 0 && (
                          <Tag color="red" style={{ marginLeft: 6 }}>
                            !
                          </Tag>
                        )}
                      </div>
                    ))}
                  </div>
                </Col>
                <Col flex="auto" style={{ minWidth: 0 }}>
                  {doc.queues[shown] && <QueueForm doc={doc} index={shown} problems={c.problems} onChange={(next) => c.edit(next)} />}
                </Col>
              </Row>
            ) : null,
          },
          {
            key: 'versions',
            label: t('版本与对比', 'Versions and diff'),
            children: (
              <VersionsPanel
                kind="routing"
                versions={c.versions}
                editing={doc}
                onLoad={(v) => void c.load(v).then(() => setTab('rules'))}
                onChanged={() => void c.reload()}
              />
            ),
          },
          {
            key: 'simulate',
            label: t('模拟器', 'Simulator'),
            children: <Simulator versions={c.versions} draft={c.saved} editing={doc} />,
          },
        ]}
      />
    </Space>
  );
}

function QueueForm({
  doc,
  index,
  problems,
  onChange,
}: {
  doc: Routing;
  index: number;
  problems: Parameters<typeof fieldError>[0];
  onChange: (d: Routing) => void;
}) {
  const t = useT();
  const q = doc.queues[index]!;
  const at = (f: string, deep = false) => fieldError(problems, `queues/${index}/${f}`, deep);
  const set = (patch: Partial<QueueRules>) => onChange(withQueue(doc, index, patch));
  const num = (f: keyof QueueRules, label: string, optional = false) => (
    <Form.Item label={label} {...at(f)}>
      <InputNumber
        style={{ width: 120 }}
        value={q[f] as number | undefined}
        placeholder={optional ? t('默认', 'default') : undefined}
        onChange={(v) => set({ [f]: v ?? (optional ? undefined : 0) } as Partial<QueueRules>)}
        data-testid={`queue-${f}`}
      />
    </Form.Item>
  );
  const others = queueNames(doc).filter((n) => n !== q.queue);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        size="small"
        title={`${t('队列', 'Queue')} ${q.queue}`}
        extra={
          // After the AGENT hangs up, the caller hears the satisfaction survey (off when absent).
          <Space
            title={t(
              '坐席挂机后请来电人评价：按一满意，按二基本满意，按三不满意',
              'After the agent hangs up, the caller rates the call (1-3)',
            )}
          >
            <span>{t('满意度调查', 'Satisfaction survey')}</span>
            <Switch
              size="small"
              checked={q.survey === true}
              onChange={(on) => set({ survey: on || undefined })}
              data-testid="queue-survey"
            />
          </Space>
        }
      >
        <Form layout="vertical" component="div">
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item label={t('分配策略', 'Strategy')} {...at('strategy')}>
                <Select
                  value={q.strategy}
                  onChange={(s) => set({ strategy: s })}
                  data-testid="queue-strategy"
                  options={STRATEGIES.map((s) => ({ value: s, label: t(...STRATEGY_NAMES[s]!) }))}
                />
              </Form.Item>
            </Col>
            <Col span={4}>{num('wrapUpS', t('话后处理(秒)', 'Wrap-up s'))}</Col>
            <Col span={4}>{num('ringTimeoutS', t('振铃超时(秒)', 'Ring timeout s'))}</Col>
            <Col span={4}>{num('maxWaitS', t('最长等待(秒)', 'Max wait s'), true)}</Col>
            <Col span={4}>{num('maxQueued', t('最多排队', 'Max queued'), true)}</Col>
          </Row>
          <Row gutter={12}>
            <Col span={6}>
              <Form.Item label={t('超时处理', 'On expiry')} {...at('onExpiry/action')}>
                <Select
                  allowClear
                  value={q.onExpiry?.action}
                  placeholder={t('无', 'none')}
                  data-testid="expiry-action"
                  onChange={(a) =>
                    set({
                      onExpiry: a
                        ? {
                            afterS: q.onExpiry?.afterS ?? 240,
                            action: a,
                            ...(a === 'overflow' ? { toQueue: q.onExpiry?.toQueue ?? others[0] } : {}),
                          }
                        : undefined,
                    })
                  }
                  options={EXPIRY_ACTIONS.map((a) => ({ value: a, label: t(...EXPIRY_NAMES[a]!) }))}
                />
              </Form.Item>
            </Col>
            <Col span={4}>
              <Form.Item label={t('等待(秒)后', 'After s')} {...at('onExpiry/afterS')}>
                <InputNumber
                  style={{ width: 110 }}
                  disabled={!q.onExpiry}
                  value={q.onExpiry?.afterS}
                  onChange={(v) => q.onExpiry && set({ onExpiry: { ...q.onExpiry, afterS: v ?? 0 } })}
                  data-testid="expiry-afterS"
                />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item label={t('溢出到队列', 'Overflow to')} {...at('onExpiry/toQueue')}>
                <Select
                  showSearch
                  disabled={q.onExpiry?.action !== 'overflow'}
                  value={q.onExpiry?.toQueue}
                  onChange={(v) => q.onExpiry && set({ onExpiry: { ...q.onExpiry, toQueue: v } })}
                  options={others.map((n) => ({ value: n, label: n }))}
                />
              </Form.Item>
            </Col>
            <Col span={4}>{num('preferredAgentS', t('优先上次坐席(秒)', 'Preferred agent s'), true)}</Col>
            <Col span={4}>{num('noAnswerPauseAfter', t('未接几次后示忙', 'Pause after misses'), true)}</Col>
          </Row>
        </Form>
      </Card>
      <Card
        size="small"
        title={t('逐步放宽的技能要求（每步替换上一步）', 'Widening steps (each replaces the one before)')}
        extra={
          <Button size="small" onClick={() => onChange(withStepAdded(doc, index))} data-testid="add-step">
            {t('+ 添加步骤', '+ Add step')}
          </Button>
        }
      >
        <Form component="div">
          <Table<Step & { i: number }>
            size="small"
            rowKey="i"
            pagination={false}
            dataSource={q.steps.map((s, i) => ({ ...s, i }))}
            columns={[
              { title: '#', dataIndex: 'i', width: 40, render: (i: number) => i + 1 },
              {
                title: t('等待≥秒', 'After (s)'),
                dataIndex: 'afterS',
                width: 220,
                render: (v: number, s) => (
                  <Form.Item style={{ margin: 0 }} {...at(`steps/${s.i}/afterS`)}>
                    <InputNumber
                      style={{ width: 110 }}
                      value={v}
                      onChange={(x) => onChange(withStep(doc, index, s.i, { afterS: x ?? 0 }))}
                      data-testid={`step-${s.i}-afterS`}
                    />
                  </Form.Item>
                ),
              },
              {
                title: t('要求的技能', 'Skills required'),
                dataIndex: 'skills',
                render: (v: Step['skills'], s) => (
                  <Form.Item style={{ margin: 0 }} {...at(`steps/${s.i}/skills`, true)}>
                    <StepSkillsInput
                      value={v}
                      skills={doc.skills}
                      testId={`step-${s.i}`}
                      onChange={(x) => onChange(withStep(doc, index, s.i, { skills: x }))}
                    />
                  </Form.Item>
                ),
              },
              {
                title: '',
                width: 70,
                render: (_: unknown, s) => (
                  <Button
                    size="small"
                    type="link"
                    danger
                    disabled={q.steps.length === 1}
                    onClick={() => onChange(withStepRemoved(doc, index, s.i))}
                  >
                    {t('删除', 'Remove')}
                  </Button>
                ),
              },
            ]}
          />
        </Form>
      </Card>
    </Space>
  );
}
