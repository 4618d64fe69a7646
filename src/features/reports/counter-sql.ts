/**
 * The rollup tables' counter columns, from the counter declarations (src/core/metrics/counters.ts):
 * the column list, the unnest() parameters an insert passes them in, and the conversion of a row
 * to parameters and back. store.ts puts them into its queries. Pure.
 *
 * Column names come from the declarations only, never from a request, and must be plain
 * identifiers (checked here once), so queries built with them stay parameterised.
 */
import type { CounterKind, Counters, CounterValues } from '../../core/metrics/counters.js';

/** The array type a counter's values are passed in (ms are rounded; the columns are integers). */
const PARAM_TYPE: Readonly<Record<CounterKind, string>> = {
  count: 'int',
  'sum-ms': 'float8',
  'max-ms': 'float8',
  'ms-by-key': 'jsonb',
  'agents-by-key': 'jsonb',
};

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function toParam(kind: CounterKind, v: unknown): unknown {
  switch (kind) {
    case 'count':
      return v;
    case 'sum-ms':
      return Math.round(v as number);
    case 'max-ms':
      return v === null ? null : Math.round(v as number);
    case 'ms-by-key':
    case 'agents-by-key':
      return JSON.stringify(v);
  }
}

function fromColumn(kind: CounterKind, v: unknown): unknown {
  switch (kind) {
    case 'count':
      return v;
    case 'sum-ms':
      return Number(v); // bigint: pg gives text
    case 'max-ms':
      return v === null ? null : Number(v);
    case 'ms-by-key':
    case 'agents-by-key':
      return v; // jsonb: pg gives the object
  }
}

export interface CounterSql<D extends Counters> {
  /** Column names, comma-separated, in declaration order. */
  columns: string;
  /** `$n::type[], ...` for unnest(), the first counter being parameter `first`. */
  params(first: number): string;
  /** One parameter array per counter, in declaration order. */
  values(rows: ReadonlyArray<CounterValues<D>>): unknown[][];
  /** A selected row's counter columns as counters. */
  read(row: Readonly<Record<string, unknown>>): CounterValues<D>;
}

export function counterSql<D extends Counters>(d: D): CounterSql<D> {
  const specs = Object.entries(d);
  for (const [name, spec] of specs) {
    if (!IDENTIFIER.test(spec.column)) throw new Error(`counter ${name}: column ${spec.column} is not a plain identifier`);
  }
  return {
    columns: specs.map(([, s]) => s.column).join(', '),
    params: (first) => specs.map(([, s], i) => `$${first + i}::${PARAM_TYPE[s.kind]}[]`).join(', '),
    values: (rows) => specs.map(([name, s]) => rows.map((r) => toParam(s.kind, (r as Record<string, unknown>)[name]))),
    read: (row) => {
      const out: Record<string, unknown> = {};
      for (const [name, s] of specs) out[name] = fromColumn(s.kind, row[s.column]);
      return out as CounterValues<D>;
    },
  };
}
