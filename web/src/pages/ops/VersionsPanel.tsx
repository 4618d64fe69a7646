import { useEffect, useState } from 'react';
import { App, Button, Card, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { formatDateTime } from '../../lib/time';
import { DiffView } from './DiffView';
import { activate, readVersion, rollback, type Activated, type Kind, type VersionRow } from './versions-api';

/** "Version 3" in the page's language. */
export const versionLabel = (t: (zh: string, en: string) => string, v: number) => t(`版本 ${v}`, `Version ${v}`);

/** The editor's document, unsaved: a side of the diff of its own. */
const EDITING = 0;

/**
 * The versions of one configuration: list, compare any two (or the unsaved edit), load one into
 * the editor, activate one, roll back. Both configuration pages use it.
 */
export function VersionsPanel(props: {
  kind: Kind;
  versions: VersionRow[];
  editing: unknown;
  onLoad: (version: number) => void;
  onChanged: () => void;
}) {
  const { kind, versions, editing, onLoad, onChanged } = props;
  const t = useT();
  const { message, modal } = App.useApp();
  const active = versions.find((v) => v.active)?.version;
  const newest = versions[0]?.version;
  const [pair, setPair] = useState<[number | undefined, number | undefined]>([undefined, undefined]);
  const left = pair[0] ?? active;
  const right = pair[1] ?? (newest !== active ? newest : EDITING);
  const [docs, setDocs] = useState<Record<number, unknown>>({});
  useEffect(() => {
    for (const v of [left, right])
      if (v !== undefined && v !== EDITING && !(v in docs)) void readVersion(kind, v).then((d) => setDocs((old) => ({ ...old, [v]: d })));
  }, [kind, left, right, docs]);
  const docOf = (v: number | undefined) => (v === EDITING ? editing : v === undefined ? undefined : docs[v]);
  const nameOf = (v: number | undefined) =>
    v === EDITING ? t('未保存的编辑', 'unsaved edit') : v === undefined ? '—' : versionLabel(t, v);

  const done = (r: Activated, what: string) => {
    message.success(what);
    if (r.warnings?.length)
      modal.warning({
        title: t('已启用，但请注意', 'Activated; worth acting on'),
        content: r.warnings.map((w) => <div key={w.path + w.message}>{w.message}</div>),
      });
    onChanged();
  };
  const failed = (e: unknown) => message.error((e as Error).message);

  const options = [
    { value: EDITING, label: nameOf(EDITING) },
    ...versions.map((v) => ({ value: v.version, label: `${versionLabel(t, v.version)}${v.active ? t('（启用中）', ' (active)') : ''}` })),
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card
        size="small"
        title={t('版本', 'Versions')}
        extra={
          <Popconfirm
            title={t('回滚到上一个启用的版本？', 'Roll back to the version active before this one?')}
            onConfirm={() =>
              rollback(kind)
                .then((r) => done(r, t(`已回滚到版本 ${r.active}`, `Rolled back to version ${r.active}`)))
                .catch(failed)
            }
          >
            <Button danger data-testid="rollback">
              {t('回滚', 'Roll back')}
            </Button>
          </Popconfirm>
        }
      >
        <Table<VersionRow>
          size="small"
          rowKey="version"
          dataSource={versions}
          pagination={{ pageSize: 5, size: 'small' }}
          columns={[
            {
              title: t('版本', 'Version'),
              dataIndex: 'version',
              width: 110,
              render: (v: number, r) => (
                <Space size={4}>
                  {v}
                  {r.active && <Tag color="green">{t('启用中', 'Active')}</Tag>}
                </Space>
              ),
            },
            { title: t('创建时间', 'Created'), dataIndex: 'createdAt', width: 170, render: (s: string) => formatDateTime(s) },
            { title: t('创建人', 'By'), dataIndex: 'createdBy', width: 150, ellipsis: true },
            { title: t('说明', 'Comment'), dataIndex: 'comment', ellipsis: true, render: (c: string | null) => c ?? '—' },
            {
              title: t('操作', 'Actions'),
              width: 170,
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Button size="small" type="link" onClick={() => onLoad(r.version)} data-testid={`load-${r.version}`}>
                    {t('载入编辑', 'Edit')}
                  </Button>
                  {!r.active && (
                    <Popconfirm
                      title={t(`启用版本 ${r.version}？新来电将按此版本处理。`, `Activate version ${r.version}? New calls follow it.`)}
                      onConfirm={() =>
                        activate(kind, r.version)
                          .then((a) => done(a, t(`版本 ${a.active} 已启用`, `Version ${a.active} is active`)))
                          .catch(failed)
                      }
                    >
                      <Button size="small" type="link" data-testid={`activate-${r.version}`}>
                        {t('启用', 'Activate')}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Card
        size="small"
        title={t('版本对比', 'Compare versions')}
        extra={
          <Space>
            <Select
              size="small"
              style={{ width: 170 }}
              value={left}
              options={options}
              onChange={(v) => setPair([v, right])}
              data-testid="diff-left"
            />
            →
            <Select
              size="small"
              style={{ width: 170 }}
              value={right}
              options={options}
              onChange={(v) => setPair([left, v])}
              data-testid="diff-right"
            />
          </Space>
        }
      >
        {docOf(left) !== undefined && docOf(right) !== undefined ? (
          <DiffView before={docOf(left)} after={docOf(right)} labels={[nameOf(left), nameOf(right)]} />
        ) : (
          <Typography.Text type="secondary">{t('载入中…', 'Loading…')}</Typography.Text>
        )}
      </Card>
    </Space>
  );
}
