import { Segmented } from 'antd';
import { useLang, type Lang } from '../lib/i18n';

/** 中文 / EN, on the login page and in the header. */
export function LangSwitch() {
  const { lang, setLang } = useLang();
  return (
    <Segmented
      size="small"
      value={lang}
      onChange={(v) => setLang(v as Lang)}
      options={[
        { label: '中文', value: 'zh' },
        { label: 'EN', value: 'en' },
      ]}
    />
  );
}
