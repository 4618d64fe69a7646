import { useState } from 'react';
import { Card, Space, Typography } from 'antd';
import { useT } from '../../lib/i18n';
import { useSession } from '../../lib/session';
import { MonthPicker } from './MonthPicker';
import { ReviewList } from './ReviewList';
import { beijingMonth } from './score';

/** 我的质检: an agent's own calls as the reviewers scored them, month by month, with their comments. */
export default function MyReviews() {
  const t = useT();
  const { me } = useSession();
  const now = beijingMonth();
  const [month, setMonth] = useState(now);
  return (
    <div data-testid="my-reviews-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('我的质检', 'My reviews')}
      </Typography.Title>
      <Card
        size="small"
        title={
          <Space>
            {t('月份', 'Month')}
            <MonthPicker value={month} onChange={setMonth} max={now} />
          </Space>
        }
      >
        <ReviewList month={month} agentId={me?.agentId ?? undefined} />
      </Card>
    </div>
  );
}
