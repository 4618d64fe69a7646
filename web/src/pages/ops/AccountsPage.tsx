import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function AccountsPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('账号与密钥', 'Accounts and keys')}</Typography.Title>;
}
