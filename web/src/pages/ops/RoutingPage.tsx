import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function RoutingPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('路由规则', 'Routing')}</Typography.Title>;
}
