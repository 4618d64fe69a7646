import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function Reports() {
  const t = useT();
  return <Typography.Title level={3}>{t('统计报表', 'Reports')}</Typography.Title>;
}
