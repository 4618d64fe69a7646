import { Tooltip } from 'antd';
import { QuestionCircleOutlined } from '@ant-design/icons';
import { useT } from '../../lib/i18n';
import { HELP, type HelpKey } from './help';

/** A column heading with its meaning on hover (help.ts). */
export function ColumnTitle({ zh, en, help }: { zh: string; en: string; help: HelpKey }) {
  const t = useT();
  const [helpZh, helpEn] = HELP[help];
  return (
    <Tooltip title={t(helpZh, helpEn)}>
      <span style={{ whiteSpace: 'nowrap', cursor: 'help' }} data-help={help}>
        {t(zh, en)} <QuestionCircleOutlined style={{ color: '#999', fontSize: 12 }} />
      </span>
    </Tooltip>
  );
}
