/**
 * Who may do what: roles, what each role is granted, and what every API route needs.
 * The one place an access decision is made; the HTTP layer only asks `decide`.
 */

/**
 * `editor` keeps the knowledge base (writes articles, reviews others'); `liaison` (联络员) is a
 * department's contact for work orders and sees only its department's orders (account.department);
 * `quality` (质检员) listens to recorded calls and scores them against the review form.
 */
export const ROLES = ['admin', 'supervisor', 'agent', 'readonly', 'editor', 'liaison', 'quality'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** Configuration, agents, callbacks and metrics, read only. */
  | 'read'
  | 'reports'
  | 'live'
  | 'audit'
  /** "Where would this call go?" — changes nothing, so tools and supervisors may ask. */
  | 'simulate'
  /** Log agents in and out, pause and unpause them. */
  | 'agents.control'
  /** Move agents between queues and change their skills. */
  | 'agents.assign'
  /** IVR menus, routing rules, agents' phones, pause reasons. */
  | 'config.write'
  | 'accounts'
  /** Knowledge base: search and read published articles (every role). */
  | 'kb.read'
  /** Knowledge base: write drafts, edit the category tree, import. */
  | 'kb.write'
  /** Knowledge base: review, publish and retire articles (never one's own: core/kb decides). */
  | 'kb.review'
  /** Call summaries (来电小结): an agent its own calls' (the service checks), supervisors any. */
  | 'summaries'
  /** Work orders: create, and see those one may (core/workorders decides row by row). */
  | 'workorders'
  /** Work orders: assign, escalate, close and reopen any; complaints about staff. */
  | 'workorders.manage'
  /** Recordings of any call: list, play, download (every playback is audited). */
  | 'recordings'
  /**
   * Recordings of one's own calls: an agent, when RECORDINGS_AGENT_OWN is on (core/recordings
   * decides the scope; holders of `recordings` see every call's).
   */
  | 'recordings.own'
  /** Put a recording on hold for a complaint or work order (retention never deletes it), and release it. */
  | 'recordings.hold'
  /** Listen to, whisper into and barge into a live call from one's own phone. */
  | 'supervise'
  /** Score recorded calls against the quality form; see every review and the monthly scores. */
  | 'quality.review'
  /** Change the quality review form (its items and weights). */
  | 'quality.manage'
  /** Reviews of one's own calls (an agent); holders of quality.review see all (the service decides). */
  | 'quality.own'
  /** Anyone signed in (their own profile, pause reason names, the API description). */
  | 'signed_in';

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([
    'read',
    'reports',
    'live',
    'audit',
    'simulate',
    'agents.control',
    'agents.assign',
    'config.write',
    'accounts',
    'kb.read',
    'kb.write',
    'kb.review',
    'summaries',
    'workorders',
    'workorders.manage',
    'recordings',
    'recordings.own',
    'recordings.hold',
    'supervise',
    'quality.review',
    'quality.manage',
    'quality.own',
    'signed_in',
  ]),
  supervisor: new Set<Permission>([
    'read',
    'reports',
    'live',
    'audit',
    'simulate',
    'agents.control',
    'agents.assign',
    'kb.read',
    'summaries',
    'workorders',
    'workorders.manage',
    'recordings',
    'recordings.own',
    'recordings.hold',
    'supervise',
    'quality.review',
    'quality.manage',
    'quality.own',
    'signed_in',
  ]),
  readonly: new Set<Permission>(['read', 'reports', 'live', 'audit', 'simulate', 'kb.read', 'signed_in']),
  // An agent sees the wallboard and acts on itself only (see `self` below).
  agent: new Set<Permission>(['live', 'kb.read', 'summaries', 'workorders', 'recordings.own', 'quality.own', 'signed_in']),
  // Writes and reviews the knowledge base; sees the figures of what is asked about.
  editor: new Set<Permission>(['kb.read', 'kb.write', 'kb.review', 'reports', 'signed_in']),
  // A department's liaison: its department's work orders only (and the knowledge base to answer them).
  liaison: new Set<Permission>(['kb.read', 'workorders', 'signed_in']),
  // Quality reviewer (质检员): recorded calls, their reviews, the form, and the figures around them.
  quality: new Set<Permission>([
    'reports',
    'kb.read',
    'recordings',
    'recordings.own',
    'recordings.hold',
    'quality.review',
    'quality.manage',
    'quality.own',
    'signed_in',
  ]),
};

/** Who is asking. `agentId` links an agent's account to its phone. */
export interface Principal {
  /** Account user name, API key id, or "bootstrap" for the ADMIN_TOKEN from the environment. */
  id: string;
  role: Role;
  via: 'session' | 'api_key' | 'bootstrap';
  agentId?: string;
  /** A liaison's department (departments.code): the work orders it sees. */
  department?: string;
}

export interface RouteAccess {
  need: Permission | 'public';
  /** A route parameter naming an agent: an agent account may use the route on itself even without `need`. */
  self?: string;
}

/** Every route of the API, as Fastify names it ("METHOD /path/:param"). A route missing here cannot be registered. */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /healthz': { need: 'public' },
  'POST /api/auth/login': { need: 'public' },
  'POST /api/auth/logout': { need: 'signed_in' },
  'POST /api/auth/session': { need: 'public' },
  'DELETE /api/auth/session': { need: 'signed_in' },
  'GET /api/me': { need: 'signed_in' },
  'POST /api/me/password': { need: 'signed_in' },

  'GET /api/accounts': { need: 'accounts' },
  'POST /api/accounts': { need: 'accounts' },
  'PATCH /api/accounts/:username': { need: 'accounts' },
  'DELETE /api/accounts/:username': { need: 'accounts' },
  'GET /api/api-keys': { need: 'accounts' },
  'POST /api/api-keys': { need: 'accounts' },
  'DELETE /api/api-keys/:id': { need: 'accounts' },
  'GET /api/audit': { need: 'audit' },

  'GET /api/agents': { need: 'read' },
  'GET /api/agents/:id': { need: 'read', self: 'id' },
  'PUT /api/agents/:id': { need: 'config.write' },
  'DELETE /api/agents/:id': { need: 'config.write' },
  'PUT /api/agents/:id/assignment': { need: 'agents.assign' },
  'POST /api/agents/:id/login': { need: 'agents.control', self: 'id' },
  'POST /api/agents/:id/logout': { need: 'agents.control', self: 'id' },
  'POST /api/agents/:id/pause': { need: 'agents.control', self: 'id' },
  'POST /api/agents/:id/unpause': { need: 'agents.control', self: 'id' },
  'POST /api/agents/:id/end-wrap-up': { need: 'agents.control', self: 'id' },
  'GET /api/agents/:id/timeline': { need: 'read', self: 'id' },
  // The agent desktop's channel (features/desktop): an agent its own; supervisors and admins may watch any.
  'GET /api/agents/:id/live': { need: 'agents.control', self: 'id' },
  'GET /api/pause-reasons': { need: 'signed_in' },
  'POST /api/pause-reasons': { need: 'config.write' },
  'PATCH /api/pause-reasons/:code': { need: 'config.write' },
  'DELETE /api/pause-reasons/:code': { need: 'config.write' },
  'GET /api/callbacks': { need: 'read' },

  ...versionedConfig('/api/ivr'),
  ...versionedConfig('/api/routing'),
  'POST /api/simulate': { need: 'simulate' },
  // Synthesizes a prompt text to listen to (a child process per text): for those who edit the IVR.
  'POST /api/prompts/preview': { need: 'config.write' },

  'GET /api/reports/intervals': { need: 'reports' },
  'GET /api/reports/queues': { need: 'reports' },
  'GET /api/reports/agents': { need: 'reports' },
  'GET /api/reports/abandons': { need: 'reports' },
  'GET /api/reports/regions': { need: 'reports' },
  // Satisfaction survey (issue 22): the center's figures are a report; an agent reads its own scores.
  'GET /api/reports/survey': { need: 'reports' },
  'GET /api/agents/:id/survey': { need: 'read', self: 'id' },
  // Call summaries (features/summaries): anyone with `summaries` reads; the service decides who writes
  // which call's (core/summaries/rules.ts: an agent its own answered calls, within the edit window).
  'GET /api/calls/:callId/summary': { need: 'summaries' },
  'PUT /api/calls/:callId/summary': { need: 'summaries' },
  // Hot topics (热点) from the summaries: a report like the others.
  'GET /api/reports/topics': { need: 'reports' },
  'GET /metrics': { need: 'read' },
  'GET /api/live': { need: 'live' },
  'GET /api/cluster': { need: 'live' },
  // One set of wallboard colours for the whole center: seen by whoever sees the wallboard, set by supervisors and admins.
  'GET /api/wallboard/thresholds': { need: 'live' },
  'PUT /api/wallboard/thresholds': { need: 'agents.control' },

  // The knowledge base (features/kb, docs/knowledge-base.md). Reading is for every role (drafts only
  // for kb.write/kb.review holders: the service checks); public favourites are checked in core/kb.
  'GET /api/kb/categories': { need: 'kb.read' },
  'POST /api/kb/categories': { need: 'kb.write' },
  'PATCH /api/kb/categories/:id': { need: 'kb.write' },
  'DELETE /api/kb/categories/:id': { need: 'kb.write' },
  'GET /api/kb/search': { need: 'kb.read' },
  'GET /api/kb/articles': { need: 'kb.read' },
  'GET /api/kb/articles/:id': { need: 'kb.read' },
  'POST /api/kb/articles': { need: 'kb.write' },
  'PUT /api/kb/articles/:id': { need: 'kb.write' },
  'POST /api/kb/articles/:id/review': { need: 'kb.review' },
  'POST /api/kb/articles/:id/publish': { need: 'kb.review' },
  'POST /api/kb/articles/:id/retire': { need: 'kb.review' },
  'GET /api/kb/articles/:id/versions': { need: 'kb.read' },
  'PUT /api/kb/articles/:id/favourite': { need: 'kb.read' },
  'GET /api/kb/favourites': { need: 'kb.read' },
  'GET /api/kb/export': { need: 'kb.write' },
  'POST /api/kb/import': { need: 'kb.write' },
  // Work orders (features/workorders). Which orders each principal sees, and who may reply or
  // answer the caller, is decided row by row in core/workorders (visibility.ts, machine.ts);
  // assigning, closing and reopening need workorders.manage here already.
  'GET /api/departments': { need: 'signed_in' },
  'POST /api/workorders': { need: 'workorders' },
  'GET /api/workorders': { need: 'workorders' },
  'GET /api/workorders/:id': { need: 'workorders' },
  'POST /api/workorders/:id/assign': { need: 'workorders.manage' },
  'POST /api/workorders/:id/reply': { need: 'workorders' },
  'POST /api/workorders/:id/reply-caller': { need: 'workorders' },
  'POST /api/workorders/:id/close': { need: 'workorders.manage' },
  'POST /api/workorders/:id/reopen': { need: 'workorders.manage' },
  'GET /api/reports/workorders': { need: 'reports' },

  // Recordings (features/recordings, docs/recording.md). Listing and playback need `recordings.own`
  // here; the service narrows an agent to its own calls (and refuses when RECORDINGS_AGENT_OWN is off).
  'GET /api/recordings': { need: 'recordings.own' },
  'GET /api/recordings/:id': { need: 'recordings.own' },
  'GET /api/recordings/:id/audio': { need: 'recordings.own' },
  'POST /api/recordings/:id/holds': { need: 'recordings.hold' },
  'DELETE /api/recordings/:id/holds/:holdId': { need: 'recordings.hold' },
  'GET /api/recordings/retention/runs': { need: 'recordings.hold' },
  // Supervision (features/supervision): listen / whisper / barge from the supervisor's own phone.
  'GET /api/supervision': { need: 'supervise' },
  'POST /api/calls/:callId/supervision': { need: 'supervise' },
  'PUT /api/supervision/:id': { need: 'supervise' },
  'DELETE /api/supervision/:id': { need: 'supervise' },
  // Quality review (features/quality): reviewers score; an agent reads the reviews of its own calls.
  'GET /api/quality/form': { need: 'quality.own' },
  'PUT /api/quality/form': { need: 'quality.manage' },
  'GET /api/quality/reviews': { need: 'quality.own' },
  'GET /api/quality/reviews/:id': { need: 'quality.own' },
  'POST /api/quality/reviews': { need: 'quality.review' },
  'GET /api/reports/quality': { need: 'quality.review' },
};

function versionedConfig(base: string): Record<string, RouteAccess> {
  return {
    [`POST ${base}/versions`]: { need: 'config.write' },
    [`GET ${base}/versions`]: { need: 'read' },
    [`GET ${base}/versions/:version`]: { need: 'read' },
    [`GET ${base}/active`]: { need: 'read' },
    [`POST ${base}/versions/:version/activate`]: { need: 'config.write' },
    [`POST ${base}/rollback`]: { need: 'config.write' },
  };
}

/** The API description (/docs and its assets) is for anyone signed in. */
const DOCS = /^\/docs(\/|$)/;
/**
 * The web console's files (features/console) and `/`, which sends a browser to them: public, as a
 * login page must be. They hold no data; the pages read everything from the API, signed in.
 */
const CONSOLE_FILES = new Set(['GET /', 'GET /console/*']);

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

/** What a route needs; undefined for a route nobody declared (it must not be served). */
export function accessFor(method: string, url: string): RouteAccess | undefined {
  if (DOCS.test(url)) return { need: 'signed_in' };
  if (CONSOLE_FILES.has(routeKey(method === 'HEAD' ? 'GET' : method, url))) return { need: 'public' };
  // HEAD is answered by the GET route.
  return ROUTE_ACCESS[routeKey(method === 'HEAD' ? 'GET' : method, url)];
}

export type Decision = { allow: true } | { allow: false; status: 401 | 403; reason: string };

/**
 * May `who` use the route? `url` is the route's pattern (undefined: no route matched, the
 * answer will be a 404 for anyone signed in); `params` its parameters.
 */
export function decide(
  who: Principal | undefined,
  method: string,
  url: string | undefined,
  params: Record<string, unknown> = {},
): Decision {
  const access = url === undefined ? { need: 'signed_in' as const } : accessFor(method, url);
  if (!access) return who ? { allow: false, status: 403, reason: `${method} ${url} is not open to any role` } : unauthenticated;
  if (access.need === 'public') return { allow: true };
  if (!who) return unauthenticated;
  if (GRANTS[who.role].has(access.need)) return { allow: true };
  if (access.self && who.agentId !== undefined && params[access.self] === who.agentId) return { allow: true };
  const onSelf = access.self && who.role === 'agent' ? ' (an agent may do this only for itself)' : '';
  return { allow: false, status: 403, reason: `role ${who.role} may not ${method} ${url}${onSelf}` };
}

const unauthenticated: Decision = {
  allow: false,
  status: 401,
  reason: 'authentication required: Authorization: Bearer <session token or API key>',
};

export function grants(role: Role, p: Permission): boolean {
  return GRANTS[role].has(p);
}
