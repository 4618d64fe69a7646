import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function Wallboard() {
  const t = useT();
  return <Typography.Title level={3}>{t('班长监控', 'Wallboard')}</Typography.Title>;
}
