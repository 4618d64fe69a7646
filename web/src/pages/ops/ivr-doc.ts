import type { HoursNode, IvrDefinition, IvrNode } from '../../../../src/core/ivr/definition';

/**
 * The IVR document as the page edits it: the menu tree it draws, and edits that return a new
 * document (never changing the one given), so a draft is always a whole, uploadable document.
 */
export type Ivr = IvrDefinition;
export type Node = IvrNode;
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface TreeItem {
  /** Unique in the tree: the path of node ids from the start ("welcome/office-hours/main/ntax"). */
  key: string;
  nodeId: string;
  kind: Node['kind'] | 'missing';
  /** The key pressed to get here from a menu, or how the parent leads here ("open", "closed", "next", "retries"). */
  via?: string;
  /** A node already shown higher up this branch, or elsewhere: shown as a link, not expanded again. */
  ref?: boolean;
  children: TreeItem[];
}

/** Where a node leads, in the order the tree shows them. */
export function exits(node: Node): Array<{ via: string; to: string }> {
  switch (node.kind) {
    case 'menu':
      return [
        ...Object.entries(node.options)
          .sort(([a], [b]) => digitOrder(a) - digitOrder(b))
          .map(([digit, to]) => ({ via: digit, to })),
        { via: 'retries', to: node.onRetriesExhausted },
      ];
    case 'play':
      return [{ via: 'next', to: node.next }];
    case 'hours':
      return [
        { via: 'open', to: node.open },
        { via: 'closed', to: node.closed },
      ];
    default:
      return [];
  }
}

/** 1..9, then 0, *, #: as the keys sit on a phone. */
function digitOrder(d: string): number {
  return d === '0' ? 10 : d === '*' ? 11 : d === '#' ? 12 : Number(d);
}

/**
 * The menu tree from the start node: each node expanded once, where first met (breadth first, so a
 * node sits at its shallowest place); later mentions are links. Nodes nothing reaches come after.
 */
export function buildTree(def: Ivr): TreeItem[] {
  const placed = new Set<string>();
  const make = (nodeId: string, key: string, via?: string): TreeItem => {
    const node = def.nodes[nodeId];
    return { key, nodeId, kind: node ? node.kind : 'missing', via, children: [] };
  };
  const roots: TreeItem[] = [];
  const expand = (root: TreeItem) => {
    const queue: TreeItem[] = [root];
    placed.add(root.nodeId);
    while (queue.length) {
      const item = queue.shift()!;
      const node = def.nodes[item.nodeId];
      if (!node) continue;
      for (const e of exits(node)) {
        const child = make(e.to, `${item.key}/${e.via}:${e.to}`, e.via);
        if (placed.has(e.to) || !def.nodes[e.to]) child.ref = placed.has(e.to);
        else {
          placed.add(e.to);
          queue.push(child);
        }
        item.children.push(child);
      }
    }
    roots.push(root);
  };
  expand(make(def.start, def.start));
  for (const id of Object.keys(def.nodes)) if (!placed.has(id)) expand(make(id, id));
  return roots;
}

/** Every tree key, for expanding the whole tree at once. */
export function allKeys(items: TreeItem[]): string[] {
  return items.flatMap((i) => [i.key, ...allKeys(i.children)]);
}

/** The node replaced (or changed) by id. */
export function withNode(def: Ivr, id: string, node: Node): Ivr {
  return { ...def, nodes: { ...def.nodes, [id]: node } };
}

/** One language of a prompt's text; an empty English text removes the English (Chinese is required). */
export function withPromptText(def: Ivr, name: string, lang: 'zh' | 'en', text: string): Ivr {
  const prompt = { ...(def.prompts[name] ?? { zh: '' }) };
  if (lang === 'en' && !text) delete prompt.en;
  else prompt[lang] = text;
  return { ...def, prompts: { ...def.prompts, [name]: prompt } };
}

/**
 * A menu's key changed: the option moves to the new key. Refused (undefined) when the new key is
 * already taken or is not a phone key, so two options never collapse into one.
 */
export function withMenuDigit(def: Ivr, menuId: string, from: string, to: string): Ivr | undefined {
  const menu = def.nodes[menuId];
  if (!menu || menu.kind !== 'menu' || !(from in menu.options)) return undefined;
  if (from === to) return def;
  if (!/^[0-9*#]$/.test(to) || to in menu.options) return undefined;
  const options = Object.fromEntries(Object.entries(menu.options).map(([d, target]) => [d === from ? to : d, target]));
  return withNode(def, menuId, { ...menu, options });
}

/** The menu and key that lead to a node (for the form's "digit" field); undefined for a node no menu offers. */
export function digitTo(def: Ivr, nodeId: string): { menuId: string; digit: string } | undefined {
  for (const [menuId, node] of Object.entries(def.nodes))
    if (node.kind === 'menu') for (const [digit, to] of Object.entries(node.options)) if (to === nodeId) return { menuId, digit };
  return undefined;
}

/** The first opening-hours node (the 12366 tree has one), with its id. */
export function hoursNode(def: Ivr): { id: string; node: HoursNode } | undefined {
  for (const [id, node] of Object.entries(def.nodes)) if (node.kind === 'hours') return { id, node };
  return undefined;
}

export interface Holiday {
  from: string;
  to?: string;
  name?: string;
}

/** The holiday a date falls in (dates as YYYY-MM-DD compare as strings). */
export function holidayOn(node: HoursNode, date: string): (Holiday & { index: number }) | undefined {
  const i = (node.holidays ?? []).findIndex((h) => h.from <= date && date <= (h.to ?? h.from));
  return i < 0 ? undefined : { ...node.holidays![i]!, index: i };
}

export const isMakeUpWorkday = (node: HoursNode, date: string) => (node.workdays ?? []).includes(date);

/** A holiday added, the list kept in date order (the validator refuses overlaps, and says where). */
export function withHoliday(node: HoursNode, h: Holiday): HoursNode {
  const holidays = [
    ...(node.holidays ?? []),
    { from: h.from, ...(h.to && h.to !== h.from ? { to: h.to } : {}), ...(h.name ? { name: h.name } : {}) },
  ];
  holidays.sort((a, b) => a.from.localeCompare(b.from));
  return { ...node, holidays };
}

export function withoutHoliday(node: HoursNode, index: number): HoursNode {
  return { ...node, holidays: (node.holidays ?? []).filter((_, i) => i !== index) };
}

/** A weekday's opening ranges; none closes the day (the key is left out, as the document writes a closed day). */
export function withWeekly(node: HoursNode, day: Weekday, ranges: Array<[string, string]>): HoursNode {
  const weekly = { ...node.weekly };
  if (ranges.length) weekly[day] = ranges;
  else delete weekly[day];
  return { ...node, weekly };
}

/** Opening ranges as one line ("08:30-12:00, 13:30-17:30") and back; undefined for a line that is not ranges. */
export function formatRanges(ranges: ReadonlyArray<readonly [string, string]> | undefined): string {
  return (ranges ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
}
export function parseRanges(text: string): Array<[string, string]> | undefined {
  const parts = text
    .split(/[,，;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const out: Array<[string, string]> = [];
  for (const p of parts) {
    const m = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(p);
    if (!m) return undefined;
    out.push([m[1]!.padStart(5, '0'), m[2]!.padStart(5, '0')]);
  }
  return out;
}

/**
 * The keys a caller presses to reach each queue (for the simulator's "IVR path"), the shortest
 * way from the start: menus take a key, every other node passes the call on (an hours node by its
 * open side, as when the hotline is open).
 */
export function queuePaths(def: Ivr): Array<{ digits: string; nodeId: string; queue: string }> {
  const seen = new Set<string>([def.start]);
  const queue: Array<{ id: string; digits: string }> = [{ id: def.start, digits: '' }];
  const out: Array<{ digits: string; nodeId: string; queue: string }> = [];
  while (queue.length) {
    const { id, digits } = queue.shift()!;
    const node = def.nodes[id];
    if (!node) continue;
    if (node.kind === 'queue') out.push({ digits, nodeId: id, queue: node.queue });
    const next: Array<[string, string]> =
      node.kind === 'menu'
        ? Object.entries(node.options).map(([d, to]) => [to, digits + d])
        : node.kind === 'play'
          ? [[node.next, digits]]
          : node.kind === 'hours'
            ? [[node.open, digits]]
            : [];
    for (const [to, d] of next)
      if (!seen.has(to)) {
        seen.add(to);
        queue.push({ id: to, digits: d });
      }
  }
  return out;
}
