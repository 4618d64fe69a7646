import { DatePicker } from 'antd';
import dayjs from 'dayjs';

/** A Beijing month, YYYY-MM; no month after the current one. */
export function MonthPicker({ value, onChange, max }: { value: string; onChange: (m: string) => void; max: string }) {
  return (
    <DatePicker
      picker="month"
      allowClear={false}
      value={dayjs(`${value}-01`)}
      disabledDate={(d) => d.format('YYYY-MM') > max}
      onChange={(d) => d && onChange(d.format('YYYY-MM'))}
      data-testid="month-picker"
    />
  );
}
