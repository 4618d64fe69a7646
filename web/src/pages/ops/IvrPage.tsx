import { Typography } from 'antd';
import { useT } from '../../lib/i18n';

/** Placeholder until the page is built. */
export default function IvrPage() {
  const t = useT();
  return <Typography.Title level={3}>{t('语音导航', 'IVR')}</Typography.Title>;
}
