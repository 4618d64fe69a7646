import { useEffect, useState } from 'react';
import { Drawer, Select, Space, Table, Tag, Typography } from 'antd';
import { ApiError, get } from '../../../lib/api';
import { useLang, useT } from '../../../lib/i18n';
import { formatDateTime } from '../../../lib/time';
import { DiffView } from '../DiffView';
import { STATUS_COLORS, STATUS_NAMES, type ArticleVersion } from '../../kb/types';
import { versionDoc } from './version-doc';

/** Every kept version of an article, and a line diff of any two (the answer a sentence a line). */
export function VersionsDrawer({ articleId, onClose }: { articleId: number | null; onClose: () => void }) {
  const t = useT();
  const { lang } = useLang();
  const [versions, setVersions] = useState<ArticleVersion[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [pair, setPair] = useState<[number, number] | null>(null);

  useEffect(() => {
    if (articleId === null) return;
    setVersions([]);
    setError(null);
    get<{ versions: ArticleVersion[] }>(`/api/kb/articles/${articleId}/versions`).then(
      (r) => {
        const vs = [...r.versions].sort((a, b) => b.version - a.version);
        setVersions(vs);
        setPair(vs.length >= 2 ? [vs[1]!.version, vs[0]!.version] : vs.length ? [vs[0]!.version, vs[0]!.version] : null);
      },
      (e) => setError(e instanceof ApiError ? e.message : String(e)),
    );
  }, [articleId]);

  const of = (n: number) => versions.find((v) => v.version === n);
  const options = versions.map((v) => ({ value: v.version, label: `v${v.version} · ${v.editedBy} · ${formatDateTime(v.editedAt)}` }));
  const before = pair ? of(pair[0]) : undefined;
  const after = pair ? of(pair[1]) : undefined;

  return (
    <Drawer open={articleId !== null} onClose={onClose} width={760} title={t('版本历史', 'Versions')} destroyOnHidden>
      {error && <Typography.Text type="danger">{error}</Typography.Text>}
      <Table
        size="small"
        rowKey="version"
        pagination={false}
        dataSource={versions}
        data-testid="kb-versions"
        columns={[
          { title: t('版本', 'Version'), dataIndex: 'version', render: (v: number) => `v${v}`, width: 70 },
          {
            title: t('状态', 'Status'),
            dataIndex: 'status',
            width: 90,
            render: (s: ArticleVersion['status']) => (
              <Tag color={STATUS_COLORS[s]}>{lang === 'zh' ? STATUS_NAMES[s][0] : STATUS_NAMES[s][1]}</Tag>
            ),
          },
          { title: t('修改人', 'By'), dataIndex: 'editedBy', width: 140 },
          { title: t('时间', 'When'), dataIndex: 'editedAt', render: (v: string) => formatDateTime(v), width: 170 },
          { title: t('问题', 'Question'), dataIndex: 'question', ellipsis: true },
        ]}
      />
      {pair && before && after && (
        <div style={{ marginTop: 16 }}>
          <Space wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong>{t('对比', 'Compare')}</Typography.Text>
            <Select
              style={{ width: 280 }}
              value={pair[0]}
              options={options}
              onChange={(v) => setPair([v, pair[1]])}
              data-testid="kb-diff-from"
            />
            →
            <Select
              style={{ width: 280 }}
              value={pair[1]}
              options={options}
              onChange={(v) => setPair([pair[0], v])}
              data-testid="kb-diff-to"
            />
          </Space>
          <DiffView before={versionDoc(before)} after={versionDoc(after)} labels={[`v${before.version}`, `v${after.version}`]} />
        </div>
      )}
    </Drawer>
  );
}
