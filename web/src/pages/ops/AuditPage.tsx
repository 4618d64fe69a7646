import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function AuditPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('审计日志', 'Audit log')}</Typography.Title>;
}
