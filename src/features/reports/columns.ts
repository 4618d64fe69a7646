/**
 * CSV columns of each report, headed in Chinese (the seed's words where it has them) or English.
 * Times in seconds, ratios in percent, staffing as average agents. Pure.
 */
import type { Lang } from '../../core/lang.js';
import {
  AGENT_COUNTERS,
  CALL_COUNTERS,
  SHOWN_CALL_COUNTERS,
  shownCallCounts,
  shownNames,
  type Counters,
} from '../../core/metrics/counters.js';
import { Readable } from 'node:stream';
import { csvChunks, percent, round, seconds, type Cell, type Column } from './csv.js';
import type { AbandonsReport, AgentsReport, IntervalsReport, QueuesReport, RegionsReport } from './service.js';

/** A counter shown as it is, headed as its declaration says (src/core/metrics/counters.ts). */
function counterColumn<N extends string>(d: Counters, name: N): Column<Record<N, Cell>> {
  const shown = d[name]?.shown;
  if (!shown) throw new Error(`counter ${name} is not shown in reports`);
  return { zh: shown.zh, en: shown.en, value: (r) => r[name] };
}

const SHOWN_AGENT_COUNTERS = shownNames(AGENT_COUNTERS);

type IntervalRow = IntervalsReport['rows'][number];
type Totals = IntervalsReport['totals'];

export const INTERVAL_COLUMNS: readonly Column<IntervalRow>[] = [
  { zh: '日期', en: 'Date', value: (r) => r.date },
  { zh: '时间段', en: 'Interval', value: (r) => r.label },
  ...SHOWN_CALL_COUNTERS.map((n) => counterColumn(CALL_COUNTERS, n)),
  { zh: '接听', en: 'Answering agents', value: (r) => round(r.staffing.answering) },
  { zh: '培训', en: 'Training', value: (r) => round(r.staffing.training) },
  { zh: '会议', en: 'Meeting', value: (r) => round(r.staffing.meeting) },
  { zh: '文书', en: 'Paperwork', value: (r) => round(r.staffing.paperwork) },
  { zh: '休息', en: 'Break', value: (r) => round(r.staffing.break) },
  { zh: '其它暂停', en: 'Other pause', value: (r) => round(r.staffing.otherPause) },
  { zh: '服务水平(%)', en: 'Service level (%)', value: (r) => percent(r.serviceLevel) },
  { zh: '平均应答(秒)', en: 'ASA (s)', value: (r) => seconds(r.asaMs) },
  { zh: '平均处理(秒)', en: 'AHT (s)', value: (r) => seconds(r.ahtMs) },
  { zh: '话务量(Erl)', en: 'Traffic (Erlangs)', value: (r) => round(r.trafficErlangs) },
  { zh: '建议人数', en: 'Agents needed', value: (r) => r.agentsNeeded },
  { zh: '预计服务水平(%)', en: 'Predicted SL (%)', value: (r) => percent(r.predictedServiceLevel) },
];

/** The totals line under the interval rows (合计). */
function totalsRow(t: Totals, lang: Lang): IntervalRow {
  const none = {
    answering: NaN,
    available: NaN,
    reserved: NaN,
    onCall: NaN,
    wrapUp: NaN,
    paused: NaN,
    training: NaN,
    meeting: NaN,
    paperwork: NaN,
    break: NaN,
    otherPause: NaN,
  };
  return {
    start: '',
    end: '',
    date: lang === 'zh' ? '合计' : 'Total',
    label: '',
    ...shownCallCounts(t),
    serviceLevel: t.serviceLevel,
    slWithin: t.slWithin,
    slDenominator: t.slDenominator,
    asaMs: t.asaMs,
    ahtMs: t.ahtMs,
    staffing: none,
    pausedByReason: {},
    trafficErlangs: null,
    agentsNeeded: null,
    predictedServiceLevel: null,
  };
}

function* numbered<R>(rows: readonly R[]): Generator<R & { n: number }> {
  for (let i = 0; i < rows.length; i++) yield { ...rows[i]!, n: i + 1 };
}

/** A CSV as a stream of chunks of lines (csv.ts csvChunks), for the HTTP reply. */
function csvStream<R>(columns: readonly Column<R>[], rows: Iterable<R>, lang: Lang): Readable {
  return Readable.from(csvChunks(columns, rows, lang), { objectMode: false });
}

export function intervalsCsv(r: IntervalsReport, lang: Lang): Readable {
  return csvStream(INTERVAL_COLUMNS, [...r.rows, totalsRow(r.totals, lang)], lang);
}

type QueueRow = QueuesReport['rows'][number];
const queueColumns = (lang: Lang): Column<QueueRow>[] => [
  { zh: '队列', en: 'Queue', value: (r) => r.queue ?? (lang === 'zh' ? '全部队列' : 'All queues') },
  // The queue spreadsheet has every shown count but IVR visits.
  ...SHOWN_CALL_COUNTERS.filter((n) => n !== 'ivrVisits').map((n) => counterColumn(CALL_COUNTERS, n)),
  { zh: '服务水平(%)', en: 'Service level (%)', value: (r) => percent(r.serviceLevel) },
  { zh: '平均应答(秒)', en: 'ASA (s)', value: (r) => seconds(r.asaMs) },
  { zh: '放弃率(%)', en: 'Abandon rate (%)', value: (r) => percent(r.abandonRate) },
  { zh: '最长等待(秒)', en: 'Longest wait (s)', value: (r) => seconds(r.longestWaitMs) },
  { zh: '平均处理(秒)', en: 'AHT (s)', value: (r) => seconds(r.ahtMs) },
];

export function queuesCsv(r: QueuesReport, lang: Lang): Readable {
  return csvStream(queueColumns(lang), r.rows, lang);
}

type AgentRow = AgentsReport['rows'][number];
const STATE_COLUMNS: ReadonlyArray<[string, string, string]> = [
  ['available', '空闲', 'Available'],
  ['reserved', '振铃', 'Ringing'],
  ['on_call', '通话', 'On call'],
  ['wrap_up', '话后处理', 'Wrap-up'],
  ['paused', '暂停', 'Paused'],
];

/** One column per agent state, then one per pause reason known to the center (培训, 会议...). */
export function agentColumns(reasons: ReadonlyArray<{ code: string; zh: string; en: string }>): Column<AgentRow>[] {
  return [
    { zh: '坐席', en: 'Agent', value: (r) => r.agentId },
    { zh: '姓名', en: 'Name', value: (r) => r.name },
    ...SHOWN_AGENT_COUNTERS.map((n) => counterColumn(AGENT_COUNTERS, n)),
    { zh: '平均处理时长(秒)', en: 'AHT (s)', value: (r) => seconds(r.ahtMs) },
    ...STATE_COLUMNS.map(([k, zh, en]): Column<AgentRow> => ({
      zh: `${zh}(秒)`,
      en: `${en} (s)`,
      value: (r) => seconds(r.msByState[k] ?? 0),
    })),
    ...reasons.map((p): Column<AgentRow> => ({
      zh: `${p.zh}(秒)`,
      en: `${p.en} (s)`,
      value: (r) => seconds(r.msByPauseReason[p.code] ?? 0),
    })),
    { zh: '占用率(%)', en: 'Occupancy (%)', value: (r) => percent(r.occupancy) },
  ];
}

export function agentsCsv(r: AgentsReport, lang: Lang): Readable {
  return csvStream(agentColumns(r.pauseReasons), r.rows, lang);
}

type AbandonRow = AbandonsReport['rows'][number];
const PLACE: Record<string, { zh: string; en: string }> = {
  ivr: { zh: 'IVR', en: 'IVR' },
  queue: { zh: '排队', en: 'Queue' },
  ringing: { zh: '振铃', en: 'Ringing' },
};
const yesNo = (v: boolean | null, lang: Lang) => (v === null ? null : lang === 'zh' ? (v ? '是' : '否') : v ? 'yes' : 'no');

export function abandonColumns(lang: Lang, tzTime: (iso: string) => string): Column<AbandonRow & { n: number }>[] {
  return [
    { zh: '序号', en: 'No.', value: (r) => r.n },
    { zh: '来电号码', en: 'Caller', value: (r) => r.caller },
    { zh: '转人工时间', en: 'Asked for an agent at', value: (r) => tzTime(r.askedAt) },
    { zh: '转人工结点', en: 'From node', value: (r) => r.node },
    { zh: '放弃位置', en: 'Gave up in', value: (r) => PLACE[r.abandonedAt]?.[lang] ?? r.abandonedAt },
    { zh: '等待(秒)', en: 'Wait (s)', value: (r) => seconds(r.waitMs) },
    { zh: '短时放弃', en: 'Short', value: (r) => yesNo(r.short, lang) },
    { zh: '后续已接通', en: 'Called back', value: (r) => yesNo(r.calledBack, lang) },
    { zh: '队列', en: 'Queue', value: (r) => r.queue },
    { zh: '呼叫ID', en: 'Call id', value: (r) => r.callId },
  ];
}

export function abandonsCsv(r: AbandonsReport, lang: Lang, tzTime: (iso: string) => string): Readable {
  return csvStream(abandonColumns(lang, tzTime), numbered(r.rows), lang);
}

type RegionRow = RegionsReport['rows'][number];
export function regionColumns(homeName: string, homeNameEn: string): Column<RegionRow>[] {
  return [
    { zh: '年月', en: 'Month', value: (r) => r.month },
    { zh: `${homeName}本地电话`, en: `${homeNameEn} (home city)`, value: (r) => r.homeCity },
    { zh: `省内非${homeName}电话`, en: 'Home province, other cities', value: (r) => r.homeProvince },
    { zh: '省外电话', en: 'Other provinces', value: (r) => r.otherProvince },
    { zh: '国际电话', en: 'International', value: (r) => r.international },
    { zh: '小计', en: 'Subtotal (fixed lines from elsewhere)', value: (r) => r.outsideFixed },
    { zh: '手机', en: 'Mobile', value: (r) => r.mobile },
    { zh: '未知', en: 'Unknown', value: (r) => r.unknown },
    { zh: '合计', en: 'Total', value: (r) => r.total },
  ];
}

export function regionsCsv(r: RegionsReport, lang: Lang): Readable {
  const name = r.home.city ?? r.home.cityCode;
  return csvStream(regionColumns(name, r.home.cityCode), r.rows, lang);
}
