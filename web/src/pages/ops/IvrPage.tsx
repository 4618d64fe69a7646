import { useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Tabs,
  Tag,
  Tree,
  Typography,
} from 'antd';
import { useT } from '../../lib/i18n';
import { fieldError } from './fields';
import { HoursCalendar } from './HoursCalendar';
import {
  allKeys,
  buildTree,
  digitTo,
  hoursNode,
  withMenuDigit,
  withNode,
  withPromptText,
  type Ivr,
  type Node,
  type TreeItem,
} from './ivr-doc';
import { ConfigHeader } from './ConfigHeader';
import { fieldOf, problemsUnder, type Problem } from './problems';
import { PromptText } from './PromptText';
import { useVersionedDoc } from './use-versioned-doc';
import { VersionsPanel } from './VersionsPanel';

const KIND_NAMES: Record<string, [string, string, string]> = {
  menu: ['菜单', 'Menu', 'blue'],
  play: ['播放', 'Play', 'default'],
  hours: ['工作时间', 'Hours', 'purple'],
  queue: ['转人工队列', 'Queue', 'green'],
  voicemail: ['留言', 'Voicemail', 'orange'],
  transfer: ['外转', 'Transfer', 'gold'],
  hangup: ['挂机', 'Hang up', 'default'],
  missing: ['不存在', 'Missing', 'red'],
};
const LINES = ['财政', '国税', '地税', '其它'] as const;

/** 语音导航: the menu tree, its prompts (played as callers hear them), hours and holidays; drafts, diff, activate, roll back. */
export default function IvrPage() {
  const t = useT();
  const { message } = App.useApp();
  const c = useVersionedDoc<Ivr>('ivr');
  const [tab, setTab] = useState('tree');
  const [selected, setSelected] = useState<string>();
  const [comment, setComment] = useState('');
  const active = c.versions.find((v) => v.active)?.version;
  const doc = c.doc;
  const tree = useMemo(() => (doc ? buildTree(doc) : []), [doc]);
  const hours = doc ? hoursNode(doc) : undefined;
  // After a refused save, the node of the first problem is the one shown.
  const problemNode = c.problems.map((p) => /^\/nodes\/([^/]+)/.exec(p.path)?.[1]).find((n) => n !== undefined);
  const nodeId = selected ?? problemNode ?? doc?.start;

  const save = async () => {
    const v = await c.save(comment);
    if (v !== undefined) {
      message.success(t(`已保存为草稿：版本 ${v}`, `Saved as draft version ${v}`));
      setComment('');
    } else {
      const first = c.problems[0]?.path ?? '';
      setSelected(undefined);
      if (hours && first.startsWith(`/nodes/${hours.id}/`)) setTab('hours');
      else setTab('tree');
    }
  };

  const title = (item: TreeItem) => {
    const node = doc?.nodes[item.nodeId];
    const kind = KIND_NAMES[item.kind]!;
    const via =
      item.via === undefined
        ? ''
        : /^[0-9*#]$/.test(item.via)
          ? t(`按 ${item.via}`, `Press ${item.via}`)
          : item.via === 'open'
            ? t('工作时间内', 'Open')
            : item.via === 'closed'
              ? t('非工作时间', 'Closed')
              : item.via === 'retries'
                ? t('多次未按对', 'Retries out')
                : '→';
    const hasProblem = problemsUnder(c.problems, `nodes/${item.nodeId}`).length > 0;
    return (
      <span data-testid={item.ref ? undefined : `tree-${item.nodeId}`} style={{ whiteSpace: 'nowrap' }}>
        {via && <Tag style={{ marginInlineEnd: 4 }}>{via}</Tag>}
        <span style={{ fontStyle: item.ref ? 'italic' : undefined, color: item.ref ? '#8c8c8c' : undefined }}>
          {item.ref ? '↪ ' : ''}
          {item.nodeId}
        </span>{' '}
        {!item.ref && (
          <Tag color={kind[2]} style={{ marginInlineStart: 4 }}>
            {t(kind[0], kind[1])}
          </Tag>
        )}
        {!item.ref && node?.kind === 'queue' && <Typography.Text type="secondary">{node.queue}</Typography.Text>}
        {hasProblem && <Tag color="red">!</Tag>}
      </span>
    );
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <ConfigHeader kind="ivr" title={['语音导航', 'IVR']} active={active} c={c} comment={comment} setComment={setComment} save={save} />
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'tree',
            label: t('菜单树', 'Menu tree'),
            children: doc ? (
              <Row gutter={16} wrap={false}>
                <Col flex="500px" style={{ minWidth: 0 }}>
                  <Card size="small" styles={{ body: { overflowX: 'auto' } }}>
                    <Tree<TreeItem>
                      showLine
                      blockNode
                      defaultExpandedKeys={allKeys(tree)}
                      selectedKeys={allKeys(tree).filter((k) => k === nodeId || k.endsWith(`:${nodeId}`))}
                      treeData={tree}
                      fieldNames={{ key: 'key', children: 'children' }}
                      titleRender={title}
                      onSelect={(_, e) => !e.node.ref && setSelected(e.node.nodeId)}
                    />
                  </Card>
                </Col>
                <Col flex="auto" style={{ minWidth: 0 }}>
                  {nodeId && doc.nodes[nodeId] && (
                    <NodeForm
                      doc={doc}
                      id={nodeId}
                      problems={c.problems}
                      onChange={c.edit}
                      onHours={() => setTab('hours')}
                      onNotice={(m) => message.warning(m)}
                    />
                  )}
                </Col>
              </Row>
            ) : null,
          },
          {
            key: 'hours',
            label: t('工作时间与节假日', 'Hours and holidays'),
            children:
              doc && hours ? (
                <HoursCalendar id={hours.id} node={hours.node} problems={c.problems} onChange={(n) => c.edit(withNode(doc, hours.id, n))} />
              ) : (
                <Typography.Text type="secondary">{t('此语音导航没有工作时间节点', 'This IVR has no hours node')}</Typography.Text>
              ),
          },
          {
            key: 'versions',
            label: t('版本与对比', 'Versions and diff'),
            children: (
              <VersionsPanel
                kind="ivr"
                versions={c.versions}
                editing={doc}
                onLoad={(v) => void c.load(v).then(() => setTab('tree'))}
                onChanged={() => void c.reload()}
              />
            ),
          },
        ]}
      />
    </Space>
  );
}

/** One node's settings; what it leads to is drawn by the tree. */
function NodeForm(props: {
  doc: Ivr;
  id: string;
  problems: Problem[];
  onChange: (d: Ivr) => void;
  onHours: () => void;
  onNotice: (m: string) => void;
}) {
  const { doc, id, problems, onChange, onHours, onNotice } = props;
  const t = useT();
  const node = doc.nodes[id]!;
  const at = (f: string, deep = false) => fieldError(problems, `nodes/${id}/${f}`, deep);
  const set = (patch: Partial<Node>) => onChange(withNode(doc, id, { ...node, ...patch } as Node));
  const offered = digitTo(doc, id);
  const [digit, setDigit] = useState<string>();
  const prompt = 'prompt' in node ? node.prompt : undefined;
  const kind = KIND_NAMES[node.kind]!;
  const whole = problemsUnder(problems, `nodes/${id}`).filter((p) => fieldOf(p.path) === `nodes/${id}`);
  return (
    <Card
      size="small"
      title={
        <Space>
          {t('节点', 'Node')} {id}
          <Tag color={kind[2]}>{t(kind[0], kind[1])}</Tag>
        </Space>
      }
      data-testid="node-form"
    >
      {whole.length > 0 && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={whole.map((p) => p.message).join('; ')} />}
      <Form layout="vertical" component="div">
        {offered && (
          <Form.Item
            label={t(`按键（在菜单 ${offered.menuId} 中）`, `Key (in menu ${offered.menuId})`)}
            {...fieldError(problems, `nodes/${offered.menuId}/options`, true)}
          >
            <Input
              style={{ width: 80 }}
              maxLength={1}
              value={digit ?? offered.digit}
              onChange={(e) => setDigit(e.target.value)}
              onBlur={() => {
                if (digit === undefined) return;
                const next = withMenuDigit(doc, offered.menuId, offered.digit, digit);
                if (next) onChange(next);
                else onNotice(t(`按键 ${digit} 不可用或已被占用`, `Key ${digit} is not a phone key or is taken`));
                setDigit(undefined);
              }}
              data-testid="node-digit"
            />
          </Form.Item>
        )}
        {prompt && (
          <>
            <Typography.Text type="secondary">
              {t('提示音', 'Prompt')} {prompt}
            </Typography.Text>
            {(['zh', 'en'] as const).map((lang) => (
              <PromptText
                key={`${prompt}-${lang}`}
                name={prompt}
                lang={lang}
                value={doc.prompts[prompt]?.[lang] ?? ''}
                problems={problems}
                onChange={(text) => onChange(withPromptText(doc, prompt, lang, text))}
              />
            ))}
          </>
        )}
        {node.kind === 'queue' && (
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item label={t('目标队列', 'Queue')} {...at('queue')}>
                <Input value={node.queue} onChange={(e) => set({ queue: e.target.value })} data-testid="node-queue" />
              </Form.Item>
            </Col>
            <Col span={6}>
              <Form.Item label={t('业务线', 'Line')} {...at('line')}>
                <Select value={node.line} onChange={(line) => set({ line })} options={LINES.map((l) => ({ value: l, label: l }))} />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item label={t('子业务', 'Sub-line')} {...at('subLine')}>
                <Input value={node.subLine ?? ''} onChange={(e) => set({ subLine: e.target.value || undefined })} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item label={t('所需技能', 'Skills asked for')} {...at('skills', true)}>
                {Object.entries(node.skills).length
                  ? Object.entries(node.skills).map(([s, l]) => <Tag key={s}>{`${s} ≥ ${l}`}</Tag>)
                  : t('无（任意坐席）', 'none (anyone)')}
              </Form.Item>
            </Col>
          </Row>
        )}
        {node.kind === 'voicemail' && (
          <Row gutter={12}>
            <Col span={8}>
              <Form.Item label={t('回电队列', 'Callback queue')} {...at('queue')}>
                <Input value={node.queue} onChange={(e) => set({ queue: e.target.value })} data-testid="node-queue" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item label={t('最长留言(秒)', 'Longest message (s)')} {...at('maxSeconds')}>
                <InputNumber value={node.maxSeconds} onChange={(v) => set({ maxSeconds: v ?? 0 })} />
              </Form.Item>
            </Col>
          </Row>
        )}
        {node.kind === 'transfer' && (
          <Form.Item label={t('外转号码', 'Number')} {...at('number')}>
            <Input style={{ width: 200 }} value={node.number} onChange={(e) => set({ number: e.target.value })} />
          </Form.Item>
        )}
        {node.kind === 'menu' && (
          <Descriptions size="small" column={1} bordered>
            {Object.entries(node.options).map(([d, to]) => (
              <Descriptions.Item key={d} label={t(`按 ${d}`, `Press ${d}`)}>
                {to}
              </Descriptions.Item>
            ))}
            <Descriptions.Item label={t('多次未按对', 'Retries out')}>{node.onRetriesExhausted}</Descriptions.Item>
          </Descriptions>
        )}
        {node.kind === 'hours' && (
          <Button onClick={onHours} data-testid="edit-hours">
            {t('在日历中编辑工作时间与节假日', 'Edit hours and holidays on the calendar')}
          </Button>
        )}
      </Form>
    </Card>
  );
}
