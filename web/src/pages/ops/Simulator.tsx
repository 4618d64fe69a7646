import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Form, Input, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { ApiError, get, post } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { queuePaths, type Ivr } from './ivr-doc';
import { readVersion, activeVersion, type VersionRow } from './versions-api';
import { describeSkills } from './routing-doc';
import { fieldError } from './fields';
import type { Problem } from './problems';

/** POST /api/simulate's answer (features/routing/simulate-routes.ts). */
interface Simulation {
  ivrVersion: number;
  routingVersion: number;
  at: string;
  preferredAgentId: string | null;
  path: Array<{ nodeId: string; digit?: string }>;
  outcome: { kind: string; queue?: string; number?: string };
  steps: Array<{ afterS: number; required: Record<string, number> | 'any'; eligible: string[]; wouldGet: string | null }>;
  unusedDigits: string;
}

/**
 * "Which agent would get this call now?" under a draft and under the active routing, side by side:
 * the live call's own IVR and routing decisions against today's agents. Changes nothing.
 */
/** The editor's unsaved document, as a choice of its own. */
const EDITING = 0;

export function Simulator({ versions, draft, editing }: { versions: VersionRow[]; draft: number | undefined; editing: unknown }) {
  const t = useT();
  const [ivr, setIvr] = useState<Ivr>();
  useEffect(() => {
    void activeVersion('ivr').then((v) => readVersion<Ivr>('ivr', v).then(setIvr));
  }, []);
  // Agents by id, to name who would get the call.
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    void get<Array<{ agentId: string; name: string }>>('/api/agents')
      .then((list) => setNames(Object.fromEntries(list.map((a) => [a.agentId, a.name]))))
      .catch(() => undefined);
  }, []);
  const paths = useMemo(() => (ivr ? queuePaths(ivr) : []), [ivr]);
  const active = versions.find((v) => v.active)?.version;
  const [digits, setDigits] = useState('21');
  const [caller, setCaller] = useState('057185187424');
  const [chosen, setChosen] = useState<number>();
  // The draft just saved, else what is being edited.
  const version = chosen ?? draft ?? EDITING;
  const [answers, setAnswers] = useState<{ draft?: Simulation; active?: Simulation }>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setProblems([]);
    setError(undefined);
    try {
      const body = { caller: caller.trim(), digits };
      const [d, a] = await Promise.all([
        post<Simulation>('/api/simulate', { ...body, ...(version === EDITING ? { routing: editing } : { routingVersion: version }) }),
        post<Simulation>('/api/simulate', body),
      ]);
      setAnswers({ draft: d, active: a });
    } catch (e) {
      if (e instanceof ApiError && e.problems.length)
        // The unsaved document refused: where, inside the document.
        setError(e.problems.map((p) => `${p.path.replace(/^\/routing\//, '')}: ${p.message}`).join('; '));
      else {
        if (e instanceof ApiError && e.field) setProblems([{ path: `/${e.field}`, message: e.message }]);
        setError((e as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Form layout="inline" onFinish={() => void run()}>
          <Form.Item label={t('语音导航路径', 'IVR path')} {...fieldError(problems, 'digits')}>
            <Select
              style={{ width: 260 }}
              value={digits}
              onChange={setDigits}
              data-testid="sim-path"
              options={paths.map((p) => ({
                value: p.digits,
                label: `${p.digits.split('').join(' ') || t('（不按键）', '(no keys)')} → ${p.queue}`,
              }))}
            />
          </Form.Item>
          <Form.Item label={t('来电号码', 'Caller')} {...fieldError(problems, 'caller')}>
            <Input style={{ width: 150 }} value={caller} onChange={(e) => setCaller(e.target.value)} data-testid="sim-caller" />
          </Form.Item>
          <Form.Item label={t('对比版本', 'Version')}>
            <Select
              style={{ width: 150 }}
              value={version}
              onChange={setChosen}
              data-testid="sim-version"
              options={[
                { value: EDITING, label: t('未保存的编辑', 'Unsaved edit') },
                ...versions.map((v) => ({
                  value: v.version,
                  label: `${t('版本', 'Version')} ${v.version}${v.active ? t('（启用中）', ' (active)') : ''}`,
                })),
              ]}
            />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="sim-run">
              {t('模拟来电', 'Simulate')}
            </Button>
          </Form.Item>
        </Form>
      </Card>
      {error && !problems.length && <Alert type="error" showIcon message={error} />}
      {answers.draft && answers.active && (
        <Row gutter={16}>
          <Col span={12}>
            <Outcome
              title={`${t('所选', 'Chosen')} · ${answers.draft.routingVersion === EDITING ? t('未保存的编辑', 'unsaved edit') : `${t('版本', 'Version')} ${answers.draft.routingVersion}`}`}
              sim={answers.draft}
              testId="sim-draft"
              names={names}
            />
          </Col>
          <Col span={12}>
            <Outcome
              title={`${t('当前启用', 'Active')} · ${t('版本', 'Version')} ${active ?? answers.active.routingVersion}`}
              sim={answers.active}
              testId="sim-active"
              names={names}
            />
          </Col>
        </Row>
      )}
    </Space>
  );
}

function Outcome({ title, sim, testId, names }: { title: string; sim: Simulation; testId: string; names: Record<string, string> }) {
  const t = useT();
  const who = (id: string) => (names[id] && names[id] !== id ? `${names[id]}（${id}）` : id);
  const now = sim.steps[0]?.wouldGet ?? null;
  const where =
    sim.outcome.kind === 'queue'
      ? `${t('队列', 'Queue')} ${sim.outcome.queue}`
      : sim.outcome.kind === 'voicemail'
        ? t('留言（非工作时间）', 'Voicemail (closed)')
        : sim.outcome.kind;
  return (
    <Card size="small" title={title} data-testid={testId}>
      <Typography.Title level={5} style={{ marginTop: 0 }} data-testid={`${testId}-agent`}>
        {sim.outcome.kind !== 'queue'
          ? where
          : now
            ? t(`现在来电将由坐席 ${who(now)} 接听`, `Agent ${who(now)} would get this call now`)
            : t('现在没有可接听的坐席，来电将排队等待', 'No agent can take it now: the call would wait')}
      </Typography.Title>
      <Descriptions size="small" column={1}>
        <Descriptions.Item label={t('去向', 'Goes to')}>{where}</Descriptions.Item>
        <Descriptions.Item label={t('经过节点', 'Path')}>
          {sim.path.map((p) => (p.digit ? `${p.nodeId}[${p.digit}]` : p.nodeId)).join(' → ')}
        </Descriptions.Item>
        <Descriptions.Item label={t('模拟时间', 'At')}>{formatDateTime(sim.at)}</Descriptions.Item>
        {sim.preferredAgentId && <Descriptions.Item label={t('上次接听坐席', 'Last agent')}>{sim.preferredAgentId}</Descriptions.Item>}
      </Descriptions>
      {sim.steps.length > 0 && (
        <Table
          size="small"
          rowKey="afterS"
          pagination={false}
          dataSource={sim.steps}
          columns={[
            { title: t('等待≥秒', 'After s'), dataIndex: 'afterS', width: 80 },
            {
              title: t('要求', 'Requires'),
              dataIndex: 'required',
              render: (r: Simulation['steps'][number]['required']) => describeSkills(r),
            },
            {
              title: t('可接坐席', 'Eligible'),
              dataIndex: 'eligible',
              render: (e: string[]) =>
                e.length
                  ? e.map((a) => (
                      <Tag key={a} title={names[a]}>
                        {a}
                      </Tag>
                    ))
                  : '—',
            },
            {
              title: t('将接听', 'Would get'),
              dataIndex: 'wouldGet',
              render: (w: string | null) =>
                w ? (
                  <Tag color="blue" title={names[w]}>
                    {w}
                  </Tag>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}
