import { Alert, App, Button, Input, Row, Space, Tag, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { fieldOf } from './problems';
import type { useVersionedDoc } from './use-versioned-doc';
import { activate, type Kind } from './versions-api';
import { versionLabel } from './VersionsPanel';

/**
 * The head of a versioned-configuration page (IVR, routing): which version is active and which is
 * being edited, the change note, save as draft, activate the draft just saved, and a refused
 * save's problems listed (each is also shown at its field below).
 */
export function ConfigHeader<T>(p: {
  kind: Kind;
  title: [zh: string, en: string];
  active: number | undefined;
  c: ReturnType<typeof useVersionedDoc<T>>;
  comment: string;
  setComment: (s: string) => void;
  save: () => Promise<void>;
}) {
  const t = useT();
  const { message } = App.useApp();
  const { c } = p;
  return (
    <>
      <Row justify="space-between" align="middle" wrap={false}>
        <Space align="baseline">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t(...p.title)}
          </Typography.Title>
          {p.active !== undefined && (
            <Tag color="green" data-testid="active-version">
              {t('启用中', 'Active')}：{versionLabel(t, p.active)}
            </Tag>
          )}
          {c.base !== undefined && (
            <Typography.Text type="secondary" data-testid="editing-version">
              {t('正在编辑', 'Editing')}：{versionLabel(t, c.base)}
            </Typography.Text>
          )}
        </Space>
        <Space>
          <Input
            style={{ width: 240 }}
            placeholder={t('修改说明（可选）', 'What changed (optional)')}
            value={p.comment}
            maxLength={500}
            onChange={(e) => p.setComment(e.target.value)}
            data-testid="comment"
          />
          <Button type="primary" onClick={() => void p.save()} disabled={!c.doc} data-testid="save-draft">
            {t('保存为草稿', 'Save draft')}
          </Button>
          {c.saved !== undefined && c.saved !== p.active && (
            <Button
              data-testid="activate-draft"
              onClick={() =>
                activate(p.kind, c.saved!)
                  .then((r) => {
                    message.success(t(`版本 ${r.active} 已启用`, `Version ${r.active} is active`));
                    void c.reload();
                  })
                  .catch((e: Error) => message.error(e.message))
              }
            >
              {t(`启用版本 ${c.saved}`, `Activate version ${c.saved}`)}
            </Button>
          )}
        </Space>
      </Row>
      {c.error && (
        <Alert
          type="error"
          showIcon
          data-testid="save-error"
          message={t('未保存：请按提示修改', 'Not saved: see the problems below')}
          description={
            c.problems.length ? c.problems.map((x) => <div key={x.path + x.message}>{`${fieldOf(x.path)}: ${x.message}`}</div>) : c.error
          }
        />
      )}
    </>
  );
}
