import { useEffect, useState } from 'react';
import { Card, Col, Row, Statistic } from 'antd';
import { get } from '../../lib/api';
import { useT } from '../../lib/i18n';
import { beijingDay, formatPercent } from '../../lib/time';
import { myScores, type SurveyReport } from '../reports/survey';

/** Read again this often: a caller's answer comes a few seconds after the call, not worth a push channel. */
const REFRESH_MS = 60_000;

/**
 * 我的满意度: how the agent's callers rated it in the survey after its calls, today and this month
 * (answered, the 满意 share and the 满意率 with 基本满意). Its own figures only (GET /api/agents/:id/survey).
 */
export function MyScores({ agentId }: { agentId: string }) {
  const t = useT();
  const [report, setReport] = useState<SurveyReport>();
  const [failed, setFailed] = useState(false);
  const today = beijingDay();
  useEffect(() => {
    if (!agentId) return;
    let live = true;
    const load = () =>
      get<SurveyReport>(`/api/agents/${agentId}/survey?from=${today.slice(0, 8)}01&to=${today}`).then(
        (r) => live && (setReport(r), setFailed(false)),
        () => live && setFailed(true),
      );
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [agentId, today]);
  const s = report ? myScores(report, today) : undefined;
  const dash = failed || !s ? '—' : undefined;
  return (
    <Card title={t('我的满意度', 'My satisfaction scores')} size="small" data-testid="my-scores">
      <Row gutter={[8, 8]}>
        {(['today', 'month'] as const).map((p) => (
          <Col span={12} key={p} data-testid={`my-scores-${p}`}>
            <Statistic
              title={p === 'today' ? t('今日评价', 'Rated today') : t('本月评价', 'Rated this month')}
              value={dash ?? s![p].answered}
            />
            <Statistic
              title={t('满意占比', 'Satisfied')}
              value={dash ?? formatPercent(s![p].satisfiedRate)}
              valueStyle={{ fontSize: 18 }}
            />
            <Statistic
              title={t('满意率（含基本满意）', 'Satisfaction rate')}
              value={dash ?? formatPercent(s![p].satisfactionRate)}
              valueStyle={{ fontSize: 18 }}
            />
          </Col>
        ))}
      </Row>
    </Card>
  );
}
