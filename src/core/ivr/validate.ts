import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import {
  IvrShellSchema,
  NODE_SCHEMAS,
  TERMINAL_KINDS,
  WEEKDAYS,
  type HoursNode,
  type IvrDefinition,
  type IvrNode,
  type NodeKind,
  type TimeRange,
  toMinutes,
  IVR_LIMITS,
} from './definition.js';
import { canReach, stronglyConnected } from './graph.js';

/**
 * Everything wrong with a definition, each problem located by JSON pointer, so an editor can
 * point at it. Schema problems are reported alone: the graph checks assume a well-formed shape.
 */
export interface IvrError {
  path: string;
  nodeId?: string;
  field?: string;
  message: string;
}

export interface ValidateOptions {
  knownQueues?: ReadonlySet<string>;
  knownSkills?: ReadonlySet<string>;
}

export type ValidationResult = { ok: true; def: IvrDefinition } | { ok: false; errors: IvrError[] };

export function validateDefinition(def: unknown, opts: ValidateOptions = {}): ValidationResult {
  // Counted before anything else: every later check is linear, but in a size bounded here.
  const tooBig = checkBounds(def);
  if (tooBig.length) return { ok: false, errors: tooBig };
  const schemaErrors = checkSchema(def);
  if (schemaErrors.length) return { ok: false, errors: schemaErrors };
  const d = def as IvrDefinition;
  const errors = [
    ...checkRefs(d),
    ...checkPrompts(d),
    ...Object.entries(d.nodes).flatMap(([id, n]) => (n.kind === 'hours' ? checkHours(id, n) : [])),
    ...checkKnown(d, opts),
    ...checkGraph(d),
  ];
  return errors.length ? { ok: false, errors } : { ok: true, def: d };
}

const pointer = (...segments: string[]): string => segments.map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');

function nodeError(nodeId: string, field: string | undefined, message: string): IvrError {
  return { path: pointer('nodes', nodeId, ...(field ? field.split('/') : [])), nodeId, ...(field ? { field } : {}), message };
}

// ---- size -----------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Too many nodes or prompts, reported alone: nothing else is looked at in a definition that big. */
function checkBounds(def: unknown): IvrError[] {
  if (!isObject(def)) return [];
  const errors: IvrError[] = [];
  for (const field of ['nodes', 'prompts'] as const) {
    const value = def[field];
    if (!isObject(value)) continue;
    const count = Object.keys(value).length;
    const max = IVR_LIMITS[field];
    if (count > max) errors.push({ path: `/${field}`, field, message: `${field}: at most ${max} ${field} (got ${count})` });
  }
  return errors;
}

// ---- schema ---------------------------------------------------------------------------------

function checkSchema(def: unknown): IvrError[] {
  const errors = schemaErrors(IvrShellSchema, def, '');
  if (!isObject(def) || !isObject(def.nodes)) return errors;
  for (const [id, node] of Object.entries(def.nodes)) {
    if (!isObject(node)) {
      errors.push(nodeError(id, undefined, `node "${id}" must be an object with a kind`));
      continue;
    }
    const kind = node.kind;
    if (typeof kind !== 'string' || !Object.hasOwn(NODE_SCHEMAS, kind)) {
      const kinds = Object.keys(NODE_SCHEMAS).join(', ');
      errors.push(nodeError(id, 'kind', `node "${id}" has kind ${JSON.stringify(kind)}; expected one of ${kinds}`));
      continue;
    }
    errors.push(...schemaErrors(NODE_SCHEMAS[kind as NodeKind], node, pointer('nodes', id)));
  }
  return errors;
}

/**
 * Schemas compiled once: a compiled check is several times faster than walking the schema, and
 * most uploads are valid. Only a value that fails is walked again for its errors.
 */
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
function passes(schema: TSchema, value: unknown): boolean {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  return check.Check(value);
}

function schemaErrors(schema: TSchema, value: unknown, prefix: string): IvrError[] {
  if (passes(schema, value)) return [];
  const seen = new Set<string>();
  const errors: IvrError[] = [];
  for (const e of Value.Errors(schema, value)) {
    const path = prefix + e.path;
    // TypeBox reports a missing field once per reason; one line per place is enough.
    if (seen.has(path)) continue;
    seen.add(path);
    const segments = path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const nodeId = segments[0] === 'nodes' && segments.length > 1 ? segments[1] : undefined;
    const field = nodeId !== undefined && segments.length > 2 ? segments.slice(2).join('/') : undefined;
    // An unexpected key is a fault of the object holding it, so name that object.
    const subject = e.type === ValueErrorType.ObjectAdditionalProperties ? field?.split('/').slice(0, -1).join('/') : field;
    const where = nodeId !== undefined ? `node "${nodeId}"${subject ? ` field "${subject}"` : ''}` : path ? path : 'definition';
    errors.push({
      path,
      ...(nodeId !== undefined ? { nodeId } : {}),
      ...(field !== undefined ? { field } : {}),
      message: `${where}: ${describe(e)}`,
    });
  }
  return errors;
}

function describe(e: ValueError): string {
  const key = e.path.split('/').pop() ?? '';
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties: {
      const patterns = Object.keys((e.schema as { patternProperties?: object }).patternProperties ?? {});
      return patterns.length ? `key "${key}" does not match ${patterns.join(' or ')}` : `unexpected property "${key}"`;
    }
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    default:
      return `${e.message} (got ${JSON.stringify(e.value)})`;
  }
}

// ---- references -----------------------------------------------------------------------------

interface Edge {
  field: string;
  label: string;
  target: string;
}

/** Edges written in the node itself; conventions are added by graphEdges. */
function ownEdges(node: IvrNode): Edge[] {
  switch (node.kind) {
    case 'menu':
      return [
        ...Object.entries(node.options).map(([digit, target]) => ({ field: `options/${digit}`, label: `option "${digit}"`, target })),
        { field: 'onRetriesExhausted', label: 'onRetriesExhausted', target: node.onRetriesExhausted },
      ];
    case 'play':
      return [{ field: 'next', label: 'next', target: node.next }];
    case 'hours':
      return [
        { field: 'open', label: 'open', target: node.open },
        { field: 'closed', label: 'closed', target: node.closed },
      ];
    default:
      return [];
  }
}

function checkRefs(d: IvrDefinition): IvrError[] {
  const errors: IvrError[] = [];
  const exists = (id: string) => Object.hasOwn(d.nodes, id);
  if (!exists(d.start)) errors.push({ path: '/start', field: 'start', message: `start points to missing node "${d.start}"` });
  if (d.operator !== undefined) {
    const op = exists(d.operator) ? d.nodes[d.operator] : undefined;
    if (!op) errors.push({ path: '/operator', field: 'operator', message: `operator points to missing node "${d.operator}"` });
    else if (op.kind !== 'queue')
      errors.push({
        path: '/operator',
        field: 'operator',
        message: `operator "${d.operator}" is a ${op.kind} node; it must be a queue node`,
      });
  }
  for (const [id, node] of Object.entries(d.nodes)) {
    for (const e of ownEdges(node)) {
      if (!exists(e.target)) errors.push(nodeError(id, e.field, `node "${id}" ${e.label} points to missing node "${e.target}"`));
    }
  }
  return errors;
}

function promptRefs(node: IvrNode): Array<[field: string, prompt: string | undefined]> {
  switch (node.kind) {
    case 'menu':
      return [
        ['prompt', node.prompt],
        ['invalidPrompt', node.invalidPrompt],
        ['timeoutPrompt', node.timeoutPrompt],
      ];
    case 'play':
    case 'voicemail':
    case 'transfer':
    case 'hangup':
      return [['prompt', node.prompt]];
    default:
      return [];
  }
}

function checkPrompts(d: IvrDefinition): IvrError[] {
  const errors: IvrError[] = [];
  const defined = (p: string) => Object.hasOwn(d.prompts, p);
  for (const field of ['invalidPrompt', 'timeoutPrompt'] as const) {
    const p = d.defaults?.[field];
    if (p !== undefined && !defined(p))
      errors.push({ path: pointer('defaults', field), field, message: `defaults ${field} "${p}" is not defined in prompts` });
  }
  for (const [id, node] of Object.entries(d.nodes)) {
    for (const [field, p] of promptRefs(node)) {
      if (p !== undefined && !defined(p)) errors.push(nodeError(id, field, `node "${id}" ${field} "${p}" is not defined in prompts`));
    }
  }
  return errors;
}

function checkKnown(d: IvrDefinition, opts: ValidateOptions): IvrError[] {
  const errors: IvrError[] = [];
  for (const [id, node] of Object.entries(d.nodes)) {
    if ((node.kind === 'queue' || node.kind === 'voicemail') && opts.knownQueues && !opts.knownQueues.has(node.queue))
      errors.push(nodeError(id, 'queue', `node "${id}" names unknown queue "${node.queue}"`));
    if (node.kind === 'queue' && opts.knownSkills) {
      for (const skill of Object.keys(node.skills)) {
        if (!opts.knownSkills.has(skill)) errors.push(nodeError(id, `skills/${skill}`, `node "${id}" requires unknown skill "${skill}"`));
      }
    }
  }
  return errors;
}

// ---- hours ----------------------------------------------------------------------------------

function isCalendarDate(date: string): boolean {
  const [y, m, day] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
}

function checkHours(id: string, node: HoursNode): IvrError[] {
  const errors: IvrError[] = [];
  if (node.timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: node.timezone });
    } catch {
      errors.push(nodeError(id, 'timezone', `node "${id}" timezone "${node.timezone}" is not a known IANA time zone`));
    }
  }
  for (const day of WEEKDAYS) {
    const ranges = node.weekly[day];
    if (ranges) errors.push(...checkRanges(id, `weekly/${day}`, ranges));
  }
  if (node.workdayHours) errors.push(...checkRanges(id, 'workdayHours', node.workdayHours));

  const holidays = (node.holidays ?? []).map((h, i) => ({ i, from: h.from, to: h.to ?? h.from, name: h.name }));
  const label = (h: (typeof holidays)[number]) => `holidays/${h.i} (${h.from}..${h.to}${h.name ? ` ${h.name}` : ''})`;
  for (const h of holidays) {
    for (const [f, date] of [
      ['from', h.from],
      ['to', h.to],
    ] as const) {
      if (!isCalendarDate(date))
        errors.push(nodeError(id, `holidays/${h.i}/${f}`, `node "${id}" holidays/${h.i} ${f} ${date} is not a calendar date`));
    }
    if (h.to < h.from) errors.push(nodeError(id, `holidays/${h.i}`, `node "${id}" ${label(h)} ends before it starts`));
  }
  const sorted = holidays.filter((h) => h.to >= h.from).sort((a, b) => a.from.localeCompare(b.from) || a.i - b.i);
  let disjoint = true;
  for (let k = 1; k < sorted.length; k++) {
    const [prev, cur] = [sorted[k - 1]!, sorted[k]!];
    if (cur.from > prev.to) continue;
    disjoint = false;
    errors.push(nodeError(id, `holidays/${cur.i}`, `node "${id}" ${label(cur)} overlaps ${label(prev)}`));
  }
  // Disjoint holidays (a valid node's): at most one holds a date, the last starting on or before
  // it, found by binary search rather than a scan per workday. Overlapping ones are already an
  // error; the plain scan names the first in the list as before.
  const holding = (date: string) => {
    if (!disjoint) return holidays.find((h) => date >= h.from && date <= h.to);
    let [lo, hi] = [0, sorted.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.from <= date) lo = mid + 1;
      else hi = mid;
    }
    const h = sorted[lo - 1];
    return h && date <= h.to ? h : undefined;
  };
  (node.workdays ?? []).forEach((date, i) => {
    if (!isCalendarDate(date)) errors.push(nodeError(id, `workdays/${i}`, `node "${id}" workdays/${i} ${date} is not a calendar date`));
    const clash = holding(date);
    if (clash) errors.push(nodeError(id, `workdays/${i}`, `node "${id}" workdays/${i} ${date} falls inside ${label(clash)}`));
  });
  return errors;
}

function checkRanges(id: string, field: string, ranges: readonly TimeRange[]): IvrError[] {
  const errors: IvrError[] = [];
  const show = (i: number, [a, b]: TimeRange) => `${field}/${i} ${a}-${b}`;
  const valid: Array<{ i: number; from: number; to: number }> = [];
  ranges.forEach((r, i) => {
    const [from, to] = [toMinutes(r[0]), toMinutes(r[1])];
    if (to <= from) errors.push(nodeError(id, `${field}/${i}`, `node "${id}" ${show(i, r)} does not end after it starts`));
    else valid.push({ i, from, to });
  });
  valid.sort((a, b) => a.from - b.from || a.i - b.i);
  for (let k = 1; k < valid.length; k++) {
    const [prev, cur] = [valid[k - 1]!, valid[k]!];
    if (cur.from < prev.to)
      errors.push(
        nodeError(id, `${field}/${cur.i}`, `node "${id}" ${show(cur.i, ranges[cur.i]!)} overlaps ${show(prev.i, ranges[prev.i]!)}`),
      );
  }
  return errors;
}

// ---- graph ----------------------------------------------------------------------------------

/** Where a node can lead, honestly: a menu's '0' convention is an edge to the operator too. */
function graphEdges(d: IvrDefinition): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [id, node] of Object.entries(d.nodes)) {
    const targets = ownEdges(node).map((e) => e.target);
    if (node.kind === 'menu' && node.conventions?.operator !== false && node.options['0'] === undefined && d.operator !== undefined)
      targets.push(d.operator);
    graph.set(id, [...new Set(targets.filter((t) => Object.hasOwn(d.nodes, t)))]);
  }
  return graph;
}

function checkGraph(d: IvrDefinition): IvrError[] {
  const errors: IvrError[] = [];
  const graph = graphEdges(d);
  const roots = [d.start, d.operator].filter((r): r is string => r !== undefined && graph.has(r));

  const reached = new Set<string>(roots);
  const todo = [...roots];
  for (let id = todo.pop(); id !== undefined; id = todo.pop()) {
    for (const t of graph.get(id) ?? []) {
      if (reached.has(t)) continue;
      reached.add(t);
      todo.push(t);
    }
  }
  const from = `start "${d.start}"${d.operator !== undefined ? ` or operator "${d.operator}"` : ''}`;
  for (const id of graph.keys()) {
    if (!reached.has(id)) errors.push(nodeError(id, undefined, `node "${id}" is not reachable from ${from}`));
  }

  // A node can exit if it is terminal or leads to one that can; the rest are trapped.
  const canExit = canReach(graph, (id) => TERMINAL_KINDS.has(d.nodes[id]!.kind));
  for (const scc of stronglyConnected(graph)) {
    const first = scc[0]!;
    const isCycle = scc.length > 1 || (graph.get(first) ?? []).includes(first);
    if (!isCycle || canExit.has(first)) continue;
    const names = scc.map((n) => `"${n}"`).join(', ');
    errors.push(
      nodeError(
        first,
        undefined,
        `cycle without exit: ${scc.length > 1 ? `nodes ${names}` : `node ${names}`} never reach a queue, voicemail, transfer or hangup node`,
      ),
    );
  }
  return errors;
}
