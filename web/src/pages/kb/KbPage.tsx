import { Typography } from 'antd';
import { useT } from '../../lib/i18n';
import KbPanel from '../agent/KbPanel';

/** /kb: the desktop's knowledge-base panel as a page, for every role (liaisons answer work orders with it). */
export default function KbPage() {
  const t = useT();
  return (
    <div data-testid="kb-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('知识库', 'Knowledge base')}
      </Typography.Title>
      <KbPanel fullPage />
    </div>
  );
}
