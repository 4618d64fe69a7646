/**
 * The reports' JSON as the API sends it (src/features/reports/routes.ts, its TypeBox schemas):
 * only what the page reads. Times in milliseconds, ratios 0..1, null where nothing divides.
 */
export interface Totals {
  ivrVisits: number;
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  asaMs: number | null;
  ahtMs: number | null;
  abandonRate: number | null;
  longestWaitMs: number | null;
}

export interface Staffing {
  answering: number;
  available: number;
  reserved: number;
  onCall: number;
  wrapUp: number;
  paused: number;
  training: number;
  meeting: number;
  paperwork: number;
  break: number;
  otherPause: number;
}

export interface IntervalRow {
  start: string;
  end: string;
  date: string;
  label: string;
  ivrVisits: number;
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  serviceLevel: number | null;
  asaMs: number | null;
  ahtMs: number | null;
  staffing: Staffing;
  pausedByReason: Record<string, number>;
  trafficErlangs: number | null;
  agentsNeeded: number | null;
  predictedServiceLevel: number | null;
}

export interface IntervalsReport {
  from: string;
  to: string;
  minutes: number;
  targets: { slSeconds: number; slTarget: number; shortAbandonS: number };
  rows: IntervalRow[];
  totals: Totals;
}

export interface QueuesReport {
  targets: { slSeconds: number; shortAbandonS: number };
  rows: Array<Totals & { queue: string | null }>;
}

export interface AgentRow {
  agentId: string;
  name: string | null;
  offered: number;
  answered: number;
  noAnswer: number;
  cancelled: number;
  handled: number;
  ahtMs: number | null;
  msByState: Record<string, number>;
  msByPauseReason: Record<string, number>;
  occupancy: number | null;
}

export interface AgentsReport {
  note: string;
  pauseReasons: Array<{ code: string; zh: string; en: string }>;
  rows: AgentRow[];
}

export type AbandonPlace = 'ivr' | 'queue' | 'ringing';

export interface AbandonRow {
  callId: string;
  caller: string;
  askedAt: string;
  node: string;
  queue: string | null;
  abandonedAt: AbandonPlace | string;
  waitMs: number | null;
  short: boolean | null;
  calledBack: boolean;
}

export interface AbandonsReport {
  callbackWindowDays: number;
  count: number;
  limit: number | null;
  rows: AbandonRow[];
}

export interface RegionRow {
  month: string;
  homeCity: number;
  homeProvince: number;
  otherProvince: number;
  international: number;
  mobile: number;
  unknown: number;
  outsideFixed: number;
  total: number;
}

export interface RegionsReport {
  home: { cityCode: string; province: string; city: string | null };
  rows: RegionRow[];
}

/** GET /api/reports/topics (src/features/summaries/topics-routes.ts). */
export interface TopicCategory {
  path: string[];
  categoryId: number;
  count: number;
}
export interface TopicArticle {
  id: number;
  question: string;
  count: number;
}
export interface TopicsReport {
  from: string;
  to: string;
  by: 'day' | 'queue' | 'agent';
  limit: number;
  summaries: number;
  overall: { categories: TopicCategory[]; articles: TopicArticle[] };
  groups: Array<{ key: string; summaries: number; categories: TopicCategory[]; articles: TopicArticle[] }>;
}
