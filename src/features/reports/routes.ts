import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { strictValidation } from '../../http/typebox-validator.js';
import type { TypedPlugin } from '../../http/typed-plugin.js';
import { localDateTime } from './days.js';
import { abandonsCsv, agentsCsv, intervalsCsv, queuesCsv, regionsCsv } from './columns.js';
import {
  abandonsQuery,
  AGENTS_PATTERN,
  agentsQuery,
  CALLER_PATTERN,
  intervalsQuery,
  ParamError,
  QUEUE_PATTERN,
  RangeTooWide,
  rangeQuery,
  regionsQuery,
} from './params.js';
import { homeArea } from './service.js';
import type { Reports } from './in-worker.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Num = Type.Number();
const NumOrNull = Nullable(Type.Number());
const Str = Type.String();
const Error_ = Type.Object({ error: Type.String() });
const TooWide = Type.Object({
  error: Type.String(),
  fields: Type.Array(Type.String(), { description: 'the parameters to change: /from, /to' }),
});

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'local day YYYY-MM-DD (the configured TZ_NAME), inclusive' });
const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'local month YYYY-MM, inclusive' });
const Common = {
  queue: Type.Optional(Type.String({ pattern: QUEUE_PATTERN, description: 'one queue; all queues when absent' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  lang: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')], { description: 'CSV header language' })),
};
const Int = (description: string) => Type.Optional(Type.String({ pattern: '^\\d{1,6}$', description }));
const RangeQuery = Type.Object(
  { from: Day, to: Type.Optional(Day), ...Common, slSeconds: Int('service-level T in seconds (20)') },
  { additionalProperties: false },
);
const AbandonsQuery = Type.Object(
  {
    from: Day,
    to: Type.Optional(Day),
    ...Common,
    slSeconds: Int('service-level T in seconds (20)'),
    caller: Type.Optional(
      Type.String({ pattern: CALLER_PATTERN, description: 'one caller number, as delivered by the trunk; with or without queue' }),
    ),
    limit: Type.Optional(
      Type.String({
        pattern: '^\\d{1,8}$',
        description: 'rows per page: 1000 for JSON, 100000 (the most) for CSV; X-Total-Count says how many there are',
      }),
    ),
    offset: Type.Optional(Type.String({ pattern: '^\\d{1,8}$', description: 'rows to skip (0)' })),
  },
  { additionalProperties: false },
);
const AgentsQuery = Type.Object({ from: Day, to: Type.Optional(Day), ...Common }, { additionalProperties: false });
const IntervalsQuery = Type.Object(
  {
    from: Day,
    to: Type.Optional(Day),
    ...Common,
    agents: Type.Optional(
      Type.String({
        pattern: AGENTS_PATTERN,
        description: 'staffing of these agent ids only (comma-separated, at most 100, ranges up to 92 days); the whole center when absent',
      }),
    ),
    minutes: Int('interval length: 5, 10, 15, 20, 30 or 60 (15)'),
    slSeconds: Int('service-level T in seconds (20)'),
    slTarget: Type.Optional(Type.String({ pattern: '^[0-9.]{1,8}$', description: 'wanted service level for the Erlang C advice (0.8)' })),
  },
  { additionalProperties: false },
);
const RegionsQuery = Type.Object(
  {
    from: Month,
    to: Type.Optional(Month),
    ...Common,
    home: Type.Optional(Type.String({ pattern: '^0\\d{2,3}$', description: 'home area code (0571)' })),
  },
  { additionalProperties: false },
);

const Head = {
  from: Str,
  to: Str,
  tz: Str,
  queue: Nullable(Str),
  metricsVersion: Type.Integer(),
};
const Totals = Type.Object({
  ivrVisits: Num,
  offered: Num,
  answered: Num,
  abandoned: Num,
  shortAbandoned: Num,
  serviceLevel: NumOrNull,
  slWithin: Num,
  slDenominator: Num,
  asaMs: NumOrNull,
  ahtMs: NumOrNull,
  abandonRate: NumOrNull,
  longestWaitMs: NumOrNull,
});
const IntervalRow = Type.Object({
  start: Str,
  end: Str,
  date: Str,
  label: Str,
  ivrVisits: Num,
  offered: Num,
  answered: Num,
  abandoned: Num,
  shortAbandoned: Num,
  serviceLevel: NumOrNull,
  slWithin: Num,
  slDenominator: Num,
  asaMs: NumOrNull,
  ahtMs: NumOrNull,
  staffing: Type.Object({
    answering: Num,
    available: Num,
    reserved: Num,
    onCall: Num,
    wrapUp: Num,
    paused: Num,
    training: Num,
    meeting: Num,
    paperwork: Num,
    break: Num,
    otherPause: Num,
  }),
  pausedByReason: Type.Record(Str, Num),
  trafficErlangs: NumOrNull,
  agentsNeeded: NumOrNull,
  predictedServiceLevel: NumOrNull,
});
const IntervalsReport = Type.Object({
  ...Head,
  agents: Nullable(Type.Array(Str)),
  minutes: Num,
  targets: Type.Object({ slSeconds: Num, slTarget: Num, shortAbandonS: Num }),
  rows: Type.Array(IntervalRow),
  totals: Totals,
});
const QueuesReport = Type.Object({
  ...Head,
  targets: Type.Object({ slSeconds: Num, shortAbandonS: Num }),
  rows: Type.Array(Type.Composite([Type.Object({ queue: Nullable(Str) }), Totals])),
});
const AgentsReport = Type.Object({
  ...Head,
  note: Str,
  pauseReasons: Type.Array(Type.Object({ code: Str, zh: Str, en: Str })),
  rows: Type.Array(
    Type.Object({
      agentId: Str,
      name: Nullable(Str),
      offered: Num,
      answered: Num,
      noAnswer: Num,
      cancelled: Num,
      handled: Num,
      ahtMs: NumOrNull,
      msByState: Type.Record(Str, Num),
      msByPauseReason: Type.Record(Str, Num),
      occupancy: NumOrNull,
    }),
  ),
});
const AbandonsReport = Type.Object({
  ...Head,
  caller: Nullable(Str),
  callbackWindowDays: Num,
  count: Num,
  offset: Num,
  limit: NumOrNull,
  rows: Type.Array(
    Type.Object({
      callId: Str,
      caller: Str,
      askedAt: Str,
      endedAt: Str,
      node: Str,
      queue: Nullable(Str),
      line: Nullable(Str),
      subLine: Nullable(Str),
      ivrNode: Nullable(Str),
      abandonedAt: Str,
      waitMs: NumOrNull,
      durationMs: NumOrNull,
      short: Nullable(Type.Boolean()),
      positionAtEntry: NumOrNull,
      positionAtAbandon: NumOrNull,
      calledBack: Type.Boolean(),
    }),
  ),
});
/** JSON by default; format=csv sends the same rows as a spreadsheet (not through the schema). */
const jsonOrCsv = (report: TSchema) => ({
  description: 'the report as JSON, or as CSV with format=csv',
  content: {
    'application/json': { schema: report },
    'text/csv': { schema: Type.String({ description: 'UTF-8 CSV; headers in Chinese, or English with lang=en' }) },
  },
});
const tags = ['reports'];

const RegionsReport = Type.Object({
  from: Str,
  to: Str,
  tz: Str,
  queue: Nullable(Str),
  home: Type.Object({ cityCode: Str, province: Str, city: Nullable(Str) }),
  rows: Type.Array(
    Type.Object({
      month: Str,
      homeCity: Num,
      homeProvince: Num,
      otherProvince: Num,
      international: Num,
      mobile: Num,
      unknown: Num,
      outsideFixed: Num,
      total: Num,
    }),
  ),
});

/**
 * Historical reports: GET /api/reports/{intervals,abandons,regions,agents,queues}.
 * JSON by default; format=csv gives a spreadsheet with Chinese headers (lang=en for English).
 * Days are local days of the configured zone, both ends included.
 */
export function reportRoutes(d: { reports: Reports }): TypedPlugin {
  const { reports } = d;
  return async (app) => {
    // TypeBox validation, so an unknown or misspelt parameter is an error that names it.
    strictValidation(app, 'is not an allowed parameter');

    // Streamed: the CSV is formatted a chunk of lines at a time as the client reads (columns.ts).
    const csv = (reply: FastifyReply, name: string, body: Readable) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(body);

    /**
     * Parameter problems found after the schema (real dates, ranges, known area codes) are 400s
     * too; a range too wide for the report is a 422 naming from and to.
     */
    const handle = async (reply: FastifyReply, run: () => Promise<unknown>) => {
      try {
        return await run();
      } catch (err) {
        if (err instanceof RangeTooWide) return reply.code(422).send({ error: err.message, fields: ['/from', '/to'] });
        if (err instanceof ParamError) return reply.code(400).send({ error: err.message });
        throw err;
      }
    };

    app.get(
      '/api/reports/intervals',
      {
        schema: {
          tags,
          summary: 'Per-interval traffic, service level and staffing, with Erlang C advice (at most 92 days)',
          querystring: IntervalsQuery,
          response: { 200: jsonOrCsv(IntervalsReport), 400: Error_, 422: TooWide },
        },
      },
      async (req, reply) =>
        handle(reply, async () => {
          const q = intervalsQuery(req.query);
          const r = await reports.intervals(q);
          return q.format === 'csv' ? csv(reply, `intervals-${q.from}-${q.to}`, intervalsCsv(r, q.lang)) : r;
        }),
    );

    app.get(
      '/api/reports/queues',
      {
        schema: {
          tags,
          summary: 'Per-queue totals over days',
          querystring: RangeQuery,
          response: { 200: jsonOrCsv(QueuesReport), 400: Error_ },
        },
      },
      async (req, reply) =>
        handle(reply, async () => {
          const q = rangeQuery(req.query);
          const r = await reports.queues(q);
          return q.format === 'csv' ? csv(reply, `queues-${q.from}-${q.to}`, queuesCsv(r, q.lang)) : r;
        }),
    );

    app.get(
      '/api/reports/agents',
      {
        schema: {
          tags,
          summary: 'Per-agent calls, handling time and time per state and pause reason',
          querystring: AgentsQuery,
          response: { 200: jsonOrCsv(AgentsReport), 400: Error_ },
        },
      },
      async (req, reply) =>
        handle(reply, async () => {
          const q = agentsQuery(req.query);
          const r = await reports.agents(q);
          return q.format === 'csv' ? csv(reply, `agents-${q.from}-${q.to}`, agentsCsv(r, q.lang)) : r;
        }),
    );

    app.get(
      '/api/reports/abandons',
      {
        schema: {
          tags,
          summary: 'Abandoned calls, one row each, with where they ended and whether they were called back (at most 92 days)',
          querystring: AbandonsQuery,
          response: { 200: jsonOrCsv(AbandonsReport), 400: Error_, 422: TooWide },
        },
      },
      async (req, reply) =>
        handle(reply, async () => {
          const q = abandonsQuery(req.query);
          const r = await reports.abandons(q);
          const local = (iso: string) => localDateTime(Date.parse(iso), reports.tz);
          return q.format === 'csv'
            ? csv(reply.header('x-total-count', String(r.count)), `abandons-${q.from}-${q.to}`, abandonsCsv(r, q.lang, local))
            : r;
        }),
    );

    app.get(
      '/api/reports/regions',
      {
        schema: {
          tags,
          summary: 'Calls per month by where callers are (home city, province, elsewhere, mobile)',
          querystring: RegionsQuery,
          response: { 200: jsonOrCsv(RegionsReport), 400: Error_ },
        },
      },
      async (req, reply) =>
        handle(reply, async () => {
          const q = regionsQuery(req.query, (code) => homeArea(code, reports.areaCodes) !== undefined);
          const r = await reports.regions(q);
          return q.format === 'csv' ? csv(reply, `regions-${q.from}-${q.to}`, regionsCsv(r, q.lang)) : r;
        }),
    );
  };
}
