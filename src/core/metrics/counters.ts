/**
 * The report counters, declared once. A rollup row (a 5-minute bucket of calls, an agent's day,
 * a bucket of staffing) holds counters: the parts every report figure is formed from, kept as
 * parts so that buckets add up to any interval and days to any range (docs/reports.md).
 *
 * Each table below is the one declaration of its counters: the row types (CounterValues), zero
 * rows, how rows add up, the rollup table's columns (store.ts builds its SQL from them) and which
 * counters a report shows as they are all come from it. Adding a counter = one line here, its
 * computation in rollup.ts, and a migration adding its column (existing migrations are never
 * edited: a counter's `column` names the column it already has). Pure: no I/O.
 */

/**
 * count: a number of things, added up. sum-ms: milliseconds, added up (stored rounded, bigint).
 * max-ms: the longest of some milliseconds, the larger wins; null when there was none.
 * ms-by-key: milliseconds per key (agent state, pause reason), added up key by key (jsonb).
 * agents-by-key: average agents per key over a bucket, added up key by key (jsonb).
 */
export type CounterKind = 'count' | 'sum-ms' | 'max-ms' | 'ms-by-key' | 'agents-by-key';

/** How two values of a counter combine; follows from the kind. */
export type Merge = 'sum' | 'max' | 'sum-by-key';

export const MERGE: Readonly<Record<CounterKind, Merge>> = {
  count: 'sum',
  'sum-ms': 'sum',
  'max-ms': 'max',
  'ms-by-key': 'sum-by-key',
  'agents-by-key': 'sum-by-key',
};

export interface CounterSpec {
  readonly kind: CounterKind;
  /** Its column in the rollup table. */
  readonly column: string;
  readonly description: string;
  /** Reported as it is (a column of its own in the reports, with these headings); otherwise a part of a figure. */
  readonly shown?: { readonly zh: string; readonly en: string };
}

export type Counters = Readonly<Record<string, CounterSpec>>;

/** Call figures per 5-minute bucket and queue (rpt_calls_5m). Moments as docs/metrics.md defines them. */
export const CALL_COUNTERS = {
  ivrVisits: {
    kind: 'count',
    column: 'ivr_visits',
    description: 'calls that entered the IVR in the bucket',
    shown: { zh: 'IVR访问量', en: 'IVR visits' },
  },
  offered: {
    kind: 'count',
    column: 'offered',
    description: 'calls that entered the queue in the bucket',
    shown: { zh: '来电量', en: 'Offered' },
  },
  answered: {
    kind: 'count',
    column: 'answered',
    description: 'calls an agent answered in the bucket',
    shown: { zh: '接听量', en: 'Answered' },
  },
  abandoned: {
    kind: 'count',
    column: 'abandoned',
    description: 'callers who hung up in the queue or while ringing, short abandons included',
    shown: { zh: '放弃量', en: 'Abandoned' },
  },
  shortAbandoned: {
    kind: 'count',
    column: 'short_abandoned',
    description: 'of those, abandons shorter than the short-abandon threshold',
    shown: { zh: '短时放弃', en: 'Short abandons' },
  },
  slWithin: { kind: 'count', column: 'sl_within', description: 'service level numerator: settled in the bucket, answered within T' },
  slDen: {
    kind: 'count',
    column: 'sl_den',
    description: 'service level denominator: settled in the bucket, answered or abandoned (short abandons out)',
  },
  asaMs: { kind: 'sum-ms', column: 'asa_ms', description: 'ASA total: waits of the calls answered in the bucket' },
  asaN: { kind: 'count', column: 'asa_n', description: 'ASA count: answered calls of known wait' },
  arNum: { kind: 'count', column: 'ar_num', description: 'abandon rate numerator, calls offered in the bucket (short abandons out)' },
  arDen: { kind: 'count', column: 'ar_den', description: 'abandon rate denominator, calls offered in the bucket (short abandons out)' },
  longestWaitMs: { kind: 'max-ms', column: 'longest_wait_ms', description: 'longest wait of the calls offered in the bucket' },
  handleMs: {
    kind: 'sum-ms',
    column: 'handle_ms',
    description: 'AHT total: talk + hold + wrap-up of the finished calls answered in the bucket',
  },
  handleN: { kind: 'count', column: 'handle_n', description: 'AHT count: finished calls answered in the bucket' },
} as const satisfies Counters;

/**
 * Per agent and local day (rpt_agent_day), for all queues ('*') or one queue. Offers and handle
 * time are per queue; state time is only on the '*' row (state time is not per queue).
 */
export const AGENT_COUNTERS = {
  offered: { kind: 'count', column: 'offered', description: 'rings of the agent’s phone', shown: { zh: '分配量', en: 'Offered' } },
  answered: { kind: 'count', column: 'answered', description: 'rings the agent answered', shown: { zh: '接听量', en: 'Answered' } },
  noAnswer: {
    kind: 'count',
    column: 'no_answer',
    description: 'rings not picked up (timeout, busy, unreachable)',
    shown: { zh: '未接量', en: 'No answer' },
  },
  cancelled: {
    kind: 'count',
    column: 'cancelled',
    description: 'rings the caller hung up on',
    shown: { zh: '振铃中来电挂断', en: 'Caller hung up while ringing' },
  },
  handleMs: {
    kind: 'sum-ms',
    column: 'handle_ms',
    description: 'AHT total: talk + hold + wrap-up of the finished calls the agent answered',
  },
  handleN: { kind: 'count', column: 'handle_n', description: 'AHT count (reported as "handled")' },
} as const satisfies Counters;

/** The agent's time per state and per pause reason, on the '*' row of rpt_agent_day. */
export const AGENT_TIME_COUNTERS = {
  msByState: { kind: 'ms-by-key', column: 'ms_by_state', description: 'ms in each agent state (logged-out time left out)' },
  msByReason: { kind: 'ms-by-key', column: 'ms_by_reason', description: "ms paused, per pause reason ('' = none given)" },
} as const satisfies Counters;

/** Staffing of the whole center per 5-minute bucket (rpt_staff_5m). */
export const STAFF_COUNTERS = {
  byState: { kind: 'agents-by-key', column: 'by_state', description: 'average agents in each state over the bucket' },
  byReason: { kind: 'agents-by-key', column: 'by_reason', description: 'average paused agents per pause reason over the bucket' },
} as const satisfies Counters;

type ValueOf<K extends CounterKind> = K extends 'max-ms'
  ? number | null
  : K extends 'ms-by-key' | 'agents-by-key'
    ? Record<string, number>
    : number;

/** The row type a counter table declares. */
export type CounterValues<D extends Counters> = { -readonly [N in keyof D]: ValueOf<D[N]['kind']> };

/** Names of the counters of a table that a report shows as they are. */
export type ShownName<D extends Counters> = { [N in keyof D]: D[N] extends { shown: object } ? N : never }[keyof D];

export type CallCounts = CounterValues<typeof CALL_COUNTERS>;
export type AgentCounts = CounterValues<typeof AGENT_COUNTERS>;
export type AgentTimeCounts = CounterValues<typeof AGENT_TIME_COUNTERS>;
export type StaffCounts = CounterValues<typeof STAFF_COUNTERS>;
export type ShownCallCounts = Pick<CallCounts, ShownName<typeof CALL_COUNTERS>>;

export const counterNames = <D extends Counters>(d: D): Array<keyof D & string> => Object.keys(d);

export function shownNames<D extends Counters>(d: D): Array<ShownName<D> & string> {
  return Object.keys(d).filter((n) => d[n]!.shown !== undefined) as Array<ShownName<D> & string>;
}

type Adder = (acc: Record<string, unknown>, b: Record<string, unknown>) => void;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function addByKey(acc: Record<string, number>, b: Readonly<Record<string, number>>): void {
  for (const k in b) acc[k] = (acc[k] ?? 0) + b[k]!;
}

/**
 * The adder of a table, written out once as plain property additions (`a.offered += b.offered;`...).
 * A generic loop over the names costs a megamorphic keyed access per counter: 1.2 µs per row
 * against 0.02 µs, which made a month's interval report (13,600 buckets, added twice) 20-40 ms
 * slower. The source is made only from a table's counter names (keys of a declaration, never input),
 * each checked as an identifier.
 */
function compile(d: Counters): Adder {
  const lines = Object.entries(d).map(([n, spec]) => {
    if (!NAME.test(n)) throw new Error(`counter name ${n} is not an identifier`);
    switch (MERGE[spec.kind]) {
      case 'sum':
        return `a.${n} += b.${n};`;
      case 'max':
        return `if (b.${n} !== null && (a.${n} === null || b.${n} > a.${n})) a.${n} = b.${n};`;
      case 'sum-by-key':
        return `addByKey(a.${n}, b.${n});`;
    }
  });
  return new Function('addByKey', `return function add(a, b) {\n${lines.join('\n')}\n};`)(addByKey) as Adder;
}

const adders = new WeakMap<Counters, Adder>();

/** A row of zeros (null for a max: nothing seen yet; a fresh {} for each map), in declaration order. */
export function zeroCounts<D extends Counters>(d: D): CounterValues<D> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(d)) {
    const merge = MERGE[d[name]!.kind];
    out[name] = merge === 'sum' ? 0 : merge === 'max' ? null : {};
  }
  return out as CounterValues<D>;
}

/** The function that adds row `b` into `acc`, counter by counter as each merges; other fields of either are left alone. */
export function counterAdder<D extends Counters>(d: D): (acc: CounterValues<D>, b: CounterValues<D>) => void {
  let add = adders.get(d);
  if (!add) adders.set(d, (add = compile(d)));
  return add as unknown as (acc: CounterValues<D>, b: CounterValues<D>) => void;
}

/** Adds row `b` into `acc` (counterAdder, for a row now and then; hot loops keep the adder). */
export function addCounts<D extends Counters>(d: D, acc: CounterValues<D>, b: CounterValues<D>): void {
  counterAdder(d)(acc, b);
}

/** The counters of a table taken from a wider row (a bucket with its place, a report line), in declaration order. */
export function pickCounts<T, N extends keyof T>(names: readonly N[], row: T): Pick<T, N> {
  const out = {} as Pick<T, N>;
  for (const n of names) out[n] = row[n];
  return out;
}

export const SHOWN_CALL_COUNTERS = shownNames(CALL_COUNTERS);

/** The counts a report line shows as they are (IVR visits, offered, answered, abandoned, short abandons). */
export const shownCallCounts = (row: ShownCallCounts): ShownCallCounts => pickCounts(SHOWN_CALL_COUNTERS, row);
