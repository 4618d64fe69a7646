import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function AgentsPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('坐席与技能', 'Agents and skills')}</Typography.Title>;
}
