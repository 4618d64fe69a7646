/**
 * What each column means, for the header tooltips: the seed's terms (接听, 文书, 小计…) are not
 * obvious. The English of the call counts is the API's own declaration (src/core/metrics/counters.ts),
 * so the page cannot drift from what the server counts; the rest follows docs/reports.md.
 */
import { AGENT_COUNTERS, CALL_COUNTERS } from '../../../../src/core/metrics/counters';

type Help = readonly [zh: string, en: string];

export const HELP = {
  ivrVisits: ['进入语音导航的来电数', CALL_COUNTERS.ivrVisits.description],
  offered: ['进入队列（转人工）的来电数', CALL_COUNTERS.offered.description],
  answered: ['坐席接起的来电数', CALL_COUNTERS.answered.description],
  abandoned: ['在排队或振铃中挂断的来电数，含短时放弃', CALL_COUNTERS.abandoned.description],
  shortAbandoned: ['其中等待不足短时放弃阈值即挂断的来电', CALL_COUNTERS.shortAbandoned.description],
  answering: [
    '本时段平均可接听的坐席数：空闲 + 振铃 + 通话 + 话后处理',
    'average agents answering over the interval: available + ringing + on call + wrap-up',
  ],
  training: ['本时段平均处于“培训”示忙的坐席数', 'average agents paused for training over the interval'],
  meeting: ['本时段平均处于“会议”示忙的坐席数', 'average agents paused for a meeting over the interval'],
  paperwork: ['本时段平均处于“文书”示忙的坐席数', 'average agents paused for paperwork over the interval'],
  break: ['本时段平均处于“休息”示忙的坐席数', 'average agents on a break over the interval'],
  otherPause: ['其它原因或未说明原因示忙的平均坐席数', 'average agents paused for any other reason, or none given'],
  serviceLevel: [
    '在目标秒数内接起的来电 ÷（接起 + 放弃，短时放弃除外）',
    'calls answered within T ÷ calls answered or abandoned (short abandons out)',
  ],
  asa: ['接起来电的平均等待时间（排队 + 振铃）', CALL_COUNTERS.asaMs.description],
  aht: ['平均处理时长：通话 + 保持 + 话后处理', CALL_COUNTERS.handleMs.description],
  traffic: ['话务量（爱尔兰）= 来电量 × 平均处理时长 ÷ 时段长度', 'traffic in Erlangs = offered × AHT ÷ interval length'],
  needed: [
    'Erlang C 建议人数：达到目标服务水平所需的最少接听坐席数',
    'Erlang C: the fewest agents answering that meet the service-level target',
  ],
  predicted: ['按建议人数，Erlang C 预计的服务水平', 'the service level Erlang C predicts with that many agents'],
  abandonRate: ['放弃量 ÷ 来电量（短时放弃除外）', 'abandoned ÷ offered (short abandons out)'],
  longestWait: ['最长的一次等待', CALL_COUNTERS.longestWaitMs.description],
  node: ['来电人转人工时所在的业务线/子业务（或语音导航结点）', 'the line/sub-line the caller asked for a person from (or the IVR node)'],
  place: ['来电人在哪里挂断：语音导航、排队或振铃中', 'where the caller gave up: in the IVR, in the queue or while ringing'],
  wait: ['转人工到挂断的等待（排队 + 振铃）', 'wait from asking for a person to hanging up (queue + ringing)'],
  calledBack: [
    '同一号码此后（至结束日期后 7 天内）有来电或回拨被接通',
    'a later call with the same number was answered (up to 7 days after the range)',
  ],
  outsideFixed: ['小计：来自本市以外的固定电话（省内非本市 + 省外 + 国际）', 'subtotal: fixed lines from outside the home city'],
  agentOffered: ['分配给该坐席振铃的次数', AGENT_COUNTERS.offered.description],
  noAnswer: ['振铃未接（超时、忙、不可达）', AGENT_COUNTERS.noAnswer.description],
  cancelled: ['振铃中来电人挂断', AGENT_COUNTERS.cancelled.description],
  occupancy: ['占用率：（通话 + 话后处理）÷（通话 + 话后处理 + 空闲）', 'occupancy: handle time ÷ (handle time + available idle time)'],
} as const satisfies Record<string, Help>;

export type HelpKey = keyof typeof HELP;
