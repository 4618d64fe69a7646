import { useState } from 'react';
import { Button, Calendar, Card, Col, Form, Input, Row, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { HoursNode } from '../../../../src/core/ivr/definition';
import { useT } from '../../lib/i18n';
import { beijingDay } from '../../lib/time';
import { fieldError } from './fields';
import {
  formatRanges,
  holidayOn,
  isMakeUpWorkday,
  parseRanges,
  withHoliday,
  withoutHoliday,
  withWeekly,
  WEEKDAYS,
  type Weekday,
} from './ivr-doc';
import type { Problem } from './problems';

const DAY_NAMES: Record<Weekday, [string, string]> = {
  mon: ['周一', 'Mon'],
  tue: ['周二', 'Tue'],
  wed: ['周三', 'Wed'],
  thu: ['周四', 'Thu'],
  fri: ['周五', 'Fri'],
  sat: ['周六', 'Sat'],
  sun: ['周日', 'Sun'],
};
/** dayjs's day(): 0 is Sunday. */
const weekdayOf = (d: Dayjs): Weekday => WEEKDAYS[(d.day() + 6) % 7]!;

/**
 * Opening hours and holidays of the IVR's hours node on a calendar: holidays and make-up workdays
 * marked, a day picked to add or remove a holiday, the weekly hours edited beside it.
 */
export function HoursCalendar(props: { id: string; node: HoursNode; problems: readonly Problem[]; onChange: (n: HoursNode) => void }) {
  const { id, node, problems, onChange } = props;
  const t = useT();
  const [day, setDay] = useState(beijingDay());
  const [name, setName] = useState('');
  const [drafts, setDrafts] = useState<Partial<Record<Weekday, string>>>({});
  const [bad, setBad] = useState<Partial<Record<Weekday, boolean>>>({});
  const holiday = holidayOn(node, day);
  const at = (f: string, deep = false) => fieldError(problems, `nodes/${id}/${f}`, deep);

  const cell = (d: Dayjs) => {
    const date = d.format('YYYY-MM-DD');
    const h = holidayOn(node, date);
    const work = isMakeUpWorkday(node, date);
    const open = (node.weekly[weekdayOf(d)] ?? []).length > 0;
    return (
      <div data-testid={`day-${date}`} style={{ lineHeight: '20px' }}>
        {h ? (
          <Tag color="red" style={{ marginInlineEnd: 0, maxWidth: '100%', overflow: 'hidden', textOverflow: 'ellipsis' }} title={h.name}>
            {t('休', 'Off')} {h.name ?? ''}
          </Tag>
        ) : work ? (
          <Tag color="blue" style={{ marginInlineEnd: 0 }}>
            {t('班', 'Work')}
          </Tag>
        ) : !open ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('不开放', 'Closed')}
          </Typography.Text>
        ) : null}
      </div>
    );
  };

  return (
    <Row gutter={16} wrap={false}>
      <Col flex="auto" style={{ minWidth: 0 }}>
        <Card size="small" styles={{ body: { padding: '0 8px' } }}>
          <Calendar
            value={dayjs(day)}
            onSelect={(d) => setDay(d.format('YYYY-MM-DD'))}
            cellRender={(d, info) => (info.type === 'date' ? cell(d) : info.originNode)}
          />
        </Card>
      </Col>
      <Col flex="360px">
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small" title={`${t('所选日期', 'Chosen day')} ${day}`} data-testid="day-panel">
            {holiday ? (
              <Space direction="vertical">
                <span>
                  {t('节假日', 'Holiday')}：{holiday.name ?? '—'}（{holiday.from}
                  {holiday.to && holiday.to !== holiday.from ? ` ~ ${holiday.to}` : ''}）
                </span>
                <Button danger size="small" onClick={() => onChange(withoutHoliday(node, holiday.index))} data-testid="remove-holiday">
                  {t('取消这个节假日', 'Remove this holiday')}
                </Button>
              </Space>
            ) : (
              <Form layout="vertical" component="div">
                <Form.Item label={t('节假日名称', 'Holiday name')} style={{ marginBottom: 8 }} {...at('holidays', true)}>
                  <Input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-testid="holiday-name" />
                </Form.Item>
                <Button
                  size="small"
                  type="primary"
                  onClick={() => {
                    onChange(withHoliday(node, { from: day, name: name.trim() || undefined }));
                    setName('');
                  }}
                  data-testid="add-holiday"
                >
                  {t('设为节假日（不开放）', 'Make it a holiday (closed)')}
                </Button>
              </Form>
            )}
          </Card>
          <Card size="small" title={t('每周工作时间', 'Weekly hours')}>
            <Form layout="horizontal" labelCol={{ flex: '48px' }} component="div">
              {WEEKDAYS.map((d) => (
                <Form.Item
                  key={d}
                  label={t(...DAY_NAMES[d])}
                  style={{ marginBottom: 8 }}
                  {...(bad[d]
                    ? {
                        validateStatus: 'error' as const,
                        help: <span role="alert">{t('格式：08:30-12:00, 13:30-17:30', 'Form: 08:30-12:00, 13:30-17:30')}</span>,
                      }
                    : at(`weekly/${d}`, true))}
                >
                  <Input
                    value={drafts[d] ?? formatRanges(node.weekly[d])}
                    placeholder={t('不开放', 'closed')}
                    onChange={(e) => setDrafts({ ...drafts, [d]: e.target.value })}
                    onBlur={() => {
                      const text = drafts[d];
                      if (text === undefined) return;
                      const ranges = parseRanges(text);
                      setBad({ ...bad, [d]: !ranges });
                      if (ranges) {
                        onChange(withWeekly(node, d, ranges));
                        setDrafts({ ...drafts, [d]: undefined });
                      }
                    }}
                    data-testid={`weekly-${d}`}
                  />
                </Form.Item>
              ))}
            </Form>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('调休上班日', 'Make-up workdays')}：{(node.workdays ?? []).join('、') || '—'}
            </Typography.Text>
          </Card>
        </Space>
      </Col>
    </Row>
  );
}
