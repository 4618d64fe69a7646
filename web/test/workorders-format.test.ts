import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../src/lib/time';
import { actionsFor, departmentName, formatDue, formatSpan, prefillContent, principalOf } from '../src/pages/workorders/workorder-format';

const order = { type: 'transfer' as const, aboutStaff: false, department: 'dsj', createdBy: 'agent1', status: 'assigned' as const };

describe('work order page helpers', () => {
  it('offers a liaison the reply on its own department’s assigned order, and nothing else', () => {
    const li = principalOf({ id: 'li', role: 'liaison', agentId: null, department: 'dsj' });
    expect(actionsFor(li, order)).toEqual({ assign: false, reply: true, replyCaller: false, close: false, reopen: false });
    expect(actionsFor(li, { ...order, department: 'gsj' })).toEqual({
      assign: false,
      reply: false,
      replyCaller: false,
      close: false,
      reopen: false,
    });
  });

  it('offers a supervisor what the state allows, and the creating agent the reply to the caller once replied', () => {
    const sup = principalOf({ id: 'sup', role: 'supervisor', agentId: null });
    expect(actionsFor(sup, order)).toEqual({ assign: true, reply: true, replyCaller: false, close: true, reopen: false });
    expect(actionsFor(sup, { ...order, status: 'closed' })).toMatchObject({ reopen: true, close: false });
    const agent = principalOf({ id: 'agent1', role: 'agent', agentId: '1001' });
    expect(actionsFor(agent, { ...order, status: 'replied' })).toEqual({
      assign: false,
      reply: false,
      replyCaller: true,
      close: false,
      reopen: false,
    });
    expect(actionsFor({ ...agent, id: 'agent2' }, { ...order, status: 'replied' }).replyCaller).toBe(false);
  });

  it('names departments and spans of time in both languages', () => {
    const ds = [{ code: 'dsj', name: '杭州市地方税务局', nameEn: 'Hangzhou Local Taxation Bureau', active: true }];
    expect(departmentName(ds, 'dsj', 'zh')).toBe('杭州市地方税务局');
    expect(departmentName(ds, 'dsj', 'en')).toBe('Hangzhou Local Taxation Bureau');
    expect(departmentName(ds, 'x', 'zh')).toBe('x');
    expect(departmentName(ds, null, 'zh')).toBe('—');
    expect(formatSpan(93_780, 'zh')).toBe('1天2小时3分钟');
    expect(formatSpan(7200, 'en')).toBe('2 h');
    expect(formatSpan(20, 'zh')).toBe('不到1分钟');
    expect(formatSpan(null, 'zh')).toBe('—');
  });

  it('shows a due time at the end of a day as 24:00 of that day, in Beijing time', () => {
    expect(formatDue('2026-12-09T16:00:00.000Z', formatDateTime)).toBe('2026/12/09 24:00');
    expect(formatDue('2026-12-09T07:30:00.000Z', formatDateTime)).toBe('2026/12/09 15:30:00');
  });

  it('prefills an order from a call with its caller and summary', () => {
    expect(prefillContent({ caller: '13857112345', summary: '咨询个税汇算' }, 'zh')).toBe(
      '来电号码：13857112345\n来电小结：咨询个税汇算\n',
    );
    expect(prefillContent({ caller: '13857112345' }, 'en')).toBe('Caller: 13857112345\n');
  });
});
