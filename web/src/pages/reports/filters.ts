/**
 * The page's filters as API requests: the JSON the tabs show and the CSV link, built from the
 * same parameters so an export always holds what is on the screen. Pure.
 */
import { query } from '../../lib/api';

export const REPORTS = ['intervals', 'abandons', 'regions', 'agents', 'queues', 'topics', 'survey'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface Filters {
  /** Beijing days YYYY-MM-DD, both ends included (the API's local days). */
  from: string;
  to: string;
  /** One queue; all queues when absent. */
  queue?: string;
  /** Interval length of the interval report (the API's default is 15). */
  minutes?: number;
  /** One caller's abandons (the number as the trunk delivered it). */
  caller?: string;
  /** Rows of the hot topics (热点, by day by default) and of the satisfaction survey (by agent by default). */
  by?: 'day' | 'queue' | 'agent';
  /** Hot topics: one agent's only. */
  agentId?: string;
}

/** The parameters the API takes for one report. The region report counts months: those of the two days. */
export function reportParams(name: ReportName, f: Filters): Record<string, string | number | undefined> {
  if (name === 'regions') return { from: f.from.slice(0, 7), to: f.to.slice(0, 7), queue: f.queue };
  if (name === 'intervals') return { from: f.from, to: f.to, queue: f.queue, minutes: f.minutes };
  if (name === 'abandons') return { from: f.from, to: f.to, queue: f.queue, caller: f.caller };
  if (name === 'survey') return { from: f.from, to: f.to, queue: f.queue, by: f.by };
  if (name === 'topics') return { from: f.from, to: f.to, queue: f.queue, by: f.by, agentId: f.agentId };
  return { from: f.from, to: f.to, queue: f.queue };
}

/** The report's JSON URL, or with format=csv a plain download link: the session cookie authenticates it. */
export function reportUrl(name: ReportName, f: Filters, format: 'json' | 'csv' = 'json'): string {
  return `/api/reports/${name}${query({ ...reportParams(name, f), format: format === 'csv' ? 'csv' : undefined })}`;
}

export type FilterField = 'from' | 'to' | 'queue' | 'minutes' | 'caller' | 'agentId';

/** The filter an API field error belongs to ("querystring/to: …" → to); undefined when it names none of them. */
export function filterField(field: string | undefined): FilterField | undefined {
  const f = field?.split('/')[0];
  return f === 'from' || f === 'to' || f === 'queue' || f === 'minutes' || f === 'caller' || f === 'agentId' ? f : undefined;
}
