import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function PauseReasonsPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('示忙原因', 'Pause reasons')}</Typography.Title>;
}
