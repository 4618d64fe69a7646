import { Result } from 'antd';
import { useT } from '../lib/i18n';

export function Forbidden() {
  const t = useT();
  return <Result status="403" title="403" subTitle={t('您的角色无权使用此页面', 'Your role may not use this page')} />;
}
