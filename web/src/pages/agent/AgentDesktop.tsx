import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function AgentDesktop() {
  const t = useT();
  return <Typography.Title level={3}>{t('坐席工作台', 'Agent desktop')}</Typography.Title>;
}
