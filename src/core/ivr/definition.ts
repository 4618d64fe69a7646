import { Type, type Static } from '@sinclair/typebox';

/**
 * An IVR is data: a graph of nodes the interpreter walks. Operators edit it as YAML, the
 * validator checks it before a call ever sees it. Objects are closed (additionalProperties:
 * false) so a misspelt field is an error rather than a silently ignored setting.
 */
export const PROMPT_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
export const NODE_ID_PATTERN = '^[a-z0-9_.-]+$';
export const DIGIT_PATTERN = '^[0-9*#]$';
/** 24:00 is allowed so a range can run to the end of the day. */
export const TIME_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
export const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';

/** Fallbacks when neither the menu nor the definition's defaults set a value. */
export const DEFAULT_TIMEOUT_S = 5;
export const DEFAULT_RETRIES = 2;
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
/** Safety net against callers looping between menus forever (see maxTurns). */
export const DEFAULT_MAX_TURNS = 40;

/**
 * How big an IVR may be. An upload is checked on the thread that serves calls and its prompts
 * are synthesized one by one, so size is bounded before any other check. The shipped 12366
 * tree has 17 nodes and 9 prompts of at most 187 characters: these leave room for many times
 * that, and no more. Prompts are bounded hardest: each is a second or so of espeak-ng.
 */
export const IVR_LIMITS = {
  nodes: 2000,
  prompts: 200,
  /** Characters of one prompt text; espeak-ng takes about a second per hundred. */
  promptText: 500,
  /** Node ids, prompt names, queue and skill names. */
  name: 100,
  /** The definition's name and description, a holiday's name. */
  description: 2000,
  /** Holidays or make-up workdays of one hours node: a few years' worth. */
  dates: 400,
  /** Time ranges of one day. */
  ranges: 24,
  /** Skills a queue node asks for. */
  skills: 50,
} as const;

const closed = { additionalProperties: false } as const;
const NodeId = Type.String({ pattern: NODE_ID_PATTERN, maxLength: IVR_LIMITS.name });
const PromptName = Type.String({ pattern: PROMPT_NAME_PATTERN, maxLength: IVR_LIMITS.name });
const Name = Type.String({ minLength: 1, maxLength: IVR_LIMITS.name });
const Time = Type.String({ pattern: TIME_PATTERN });
const DateStr = Type.String({ pattern: DATE_PATTERN });

export const LINES = ['财政', '国税', '地税', '其它'] as const;
export type Line = (typeof LINES)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const PromptTextSchema = Type.Object(
  {
    zh: Type.String({ minLength: 1, maxLength: IVR_LIMITS.promptText }),
    en: Type.Optional(Type.String({ minLength: 1, maxLength: IVR_LIMITS.promptText })),
  },
  closed,
);

export const MenuNodeSchema = Type.Object(
  {
    kind: Type.Literal('menu'),
    prompt: PromptName,
    options: Type.Record(Type.String({ pattern: DIGIT_PATTERN }), NodeId, closed),
    timeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    /** Re-asks after the first attempt; retries + 1 failures lead to onRetriesExhausted. */
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    invalidPrompt: Type.Optional(PromptName),
    timeoutPrompt: Type.Optional(PromptName),
    onRetriesExhausted: NodeId,
    /** All on by default; a digit defined in options always wins over its convention. */
    conventions: Type.Optional(
      Type.Object(
        {
          /** '*' returns to the previous menu. */
          back: Type.Optional(Type.Boolean()),
          /** '9' replays this menu's prompt. */
          repeat: Type.Optional(Type.Boolean()),
          /** '0' goes to the definition's operator node. */
          operator: Type.Optional(Type.Boolean()),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const PlayNodeSchema = Type.Object({ kind: Type.Literal('play'), prompt: PromptName, next: NodeId }, closed);

/** Half-open [start, end) in local wall time. */
export const TimeRangeSchema = Type.Tuple([Time, Time]);

/** Minutes since local midnight of an 'HH:MM' that matched TIME_PATTERN. */
export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

const DayRanges = Type.Optional(Type.Array(TimeRangeSchema, { maxItems: IVR_LIMITS.ranges }));
/** A day left out is closed all day. */
export const WeeklySchema = Type.Object(
  { mon: DayRanges, tue: DayRanges, wed: DayRanges, thu: DayRanges, fri: DayRanges, sat: DayRanges, sun: DayRanges },
  closed,
);

/** Inclusive; `to` omitted means a single day. */
export const HolidaySchema = Type.Object(
  { from: DateStr, to: Type.Optional(DateStr), name: Type.Optional(Type.String({ maxLength: IVR_LIMITS.description })) },
  closed,
);

export const HoursNodeSchema = Type.Object(
  {
    kind: Type.Literal('hours'),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: IVR_LIMITS.name, default: DEFAULT_TIMEZONE })),
    weekly: WeeklySchema,
    holidays: Type.Optional(Type.Array(HolidaySchema, { maxItems: IVR_LIMITS.dates })),
    /** 调休: weekend dates that are working days. */
    workdays: Type.Optional(Type.Array(DateStr, { maxItems: IVR_LIMITS.dates })),
    /** Hours on a make-up workday; defaults to the first of mon..fri that has hours. */
    workdayHours: Type.Optional(Type.Array(TimeRangeSchema, { maxItems: IVR_LIMITS.ranges })),
    open: NodeId,
    closed: NodeId,
  },
  closed,
);

export const QueueNodeSchema = Type.Object(
  {
    kind: Type.Literal('queue'),
    queue: Name,
    /** Skill -> minimum proficiency the agent needs. */
    skills: Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 1, maximum: 5 }), { maxProperties: IVR_LIMITS.skills }),
    /** Higher is served first. */
    priority: Type.Optional(Type.Integer({ default: 0 })),
    line: Type.Union(LINES.map((l) => Type.Literal(l))),
    subLine: Type.Optional(Name),
  },
  closed,
);

export const VoicemailNodeSchema = Type.Object(
  {
    kind: Type.Literal('voicemail'),
    prompt: PromptName,
    maxSeconds: Type.Integer({ minimum: 5, maximum: 600 }),
    /** The queue whose callback list the message lands in. */
    queue: Name,
  },
  closed,
);

export const TransferNodeSchema = Type.Object(
  { kind: Type.Literal('transfer'), number: Type.String({ pattern: '^[0-9]+$', maxLength: 32 }), prompt: Type.Optional(PromptName) },
  closed,
);

export const HangupNodeSchema = Type.Object({ kind: Type.Literal('hangup'), prompt: Type.Optional(PromptName) }, closed);

export const NODE_SCHEMAS = {
  menu: MenuNodeSchema,
  play: PlayNodeSchema,
  hours: HoursNodeSchema,
  queue: QueueNodeSchema,
  voicemail: VoicemailNodeSchema,
  transfer: TransferNodeSchema,
  hangup: HangupNodeSchema,
} as const;
export type NodeKind = keyof typeof NODE_SCHEMAS;
/** Nodes where the call leaves the IVR. */
export const TERMINAL_KINDS: ReadonlySet<NodeKind> = new Set(['queue', 'voicemail', 'transfer', 'hangup']);

export const IvrNodeSchema = Type.Union(Object.values(NODE_SCHEMAS));

const definitionFields = {
  name: Type.String({ minLength: 1, maxLength: IVR_LIMITS.name }),
  description: Type.Optional(Type.String({ maxLength: IVR_LIMITS.description })),
  start: NodeId,
  /** Where '0' leads from any menu; should be a queue node. */
  operator: Type.Optional(NodeId),
  /** Node entries plus menu replays per call before the caller is sent to the operator. */
  maxTurns: Type.Optional(Type.Integer({ minimum: 5, maximum: 500 })),
  defaults: Type.Optional(
    Type.Object(
      {
        timeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
        retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
        invalidPrompt: Type.Optional(PromptName),
        timeoutPrompt: Type.Optional(PromptName),
      },
      closed,
    ),
  ),
  prompts: Type.Record(Type.String({ pattern: PROMPT_NAME_PATTERN, maxLength: IVR_LIMITS.name }), PromptTextSchema, {
    ...closed,
    maxProperties: IVR_LIMITS.prompts,
  }),
};

export const IvrDefinitionSchema = Type.Object(
  {
    ...definitionFields,
    nodes: Type.Record(Type.String({ pattern: NODE_ID_PATTERN, maxLength: IVR_LIMITS.name }), IvrNodeSchema, {
      ...closed,
      maxProperties: IVR_LIMITS.nodes,
    }),
  },
  closed,
);

/**
 * The same shape with nodes left open, so the validator can check each node against the schema
 * of its own kind and report the field that is wrong instead of "no union member matched".
 */
export const IvrShellSchema = Type.Object(
  {
    ...definitionFields,
    nodes: Type.Record(Type.String({ pattern: NODE_ID_PATTERN, maxLength: IVR_LIMITS.name }), Type.Unknown(), {
      ...closed,
      maxProperties: IVR_LIMITS.nodes,
    }),
  },
  closed,
);

export type PromptText = Static<typeof PromptTextSchema>;
export type TimeRange = Static<typeof TimeRangeSchema>;
export type Holiday = Static<typeof HolidaySchema>;
export type MenuNode = Static<typeof MenuNodeSchema>;
export type PlayNode = Static<typeof PlayNodeSchema>;
export type HoursNode = Static<typeof HoursNodeSchema>;
export type QueueNode = Static<typeof QueueNodeSchema>;
export type VoicemailNode = Static<typeof VoicemailNodeSchema>;
export type TransferNode = Static<typeof TransferNodeSchema>;
export type HangupNode = Static<typeof HangupNodeSchema>;
export type IvrNode = Static<typeof IvrNodeSchema>;
export type IvrDefinition = Static<typeof IvrDefinitionSchema>;
