import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { redact } from './shared/redact.js';

/** Everything the service reads from its environment, validated once at boot. */
export const ConfigSchema = Type.Object({
  ARI_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8088' }),
  ARI_USER: Type.String({ minLength: 1 }),
  ARI_PASSWORD: Type.String({ minLength: 8 }),
  ARI_APP: Type.String({ pattern: '^[A-Za-z0-9_-]+$', default: 'tax12366' }),
  ARI_MAX_SOCKETS: Type.Integer({ minimum: 1, maximum: 256, default: 32 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  REDIS_URL: Type.String({ pattern: '^rediss?://' }),
  REDIS_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_:.-]+$', default: 't12' }),
  /** The local outbox: events wait here while Postgres or Redis is unreachable, across restarts. */
  OUTBOX_DIR: Type.String({ default: '/var/lib/tax12366/outbox' }),
  EVENT_STREAM_MAXLEN: Type.Integer({ minimum: 1000, default: 1_000_000 }),
  /**
   * This instance's name. A restarted instance with the same name takes back its calls still in
   * Stasis; two instances sharing Redis need different names.
   */
  INSTANCE_ID: Type.String({ pattern: '^[A-Za-z0-9_.-]+$', default: 'main' }),
  /**
   * An instance that has not renewed its liveness lease for this long is dead to the others, and
   * one of them takes its calls over (features/cluster, docs/scale.md). Several instances: each
   * needs its own INSTANCE_ID and ARI_APP (e.g. tax12366-a).
   */
  /**
   * The Asterisk media node this instance drives (its ARI_URL), by name. Set only with several
   * nodes (docs/scale.md, nodes): agents' registrations are then recorded per node, an agent
   * registered on another node is rung through the link endpoint `node-<name>` of this node's
   * Asterisk, and losing ARI marks this node's agents unreachable at once. Unset: one node, `main`.
   */
  ASTERISK_NODE: Type.Optional(Type.String({ pattern: '^[a-z0-9]{1,20}$' })),
  /**
   * How long this instance's Asterisk may answer nothing at all (its event stream gone, and its
   * HTTP interface refusing or timing out at every probe) before the calls on it are recorded as
   * lost, cause `asterisk_lost`: their media went with it. While Asterisk still answers requests
   * the calls are kept, and the reconnection reconciles them. Agents' phones on it are marked
   * unreachable at once, not after this (with ASTERISK_NODE).
   */
  ASTERISK_LOST_AFTER_MS: Type.Integer({ minimum: 1000, maximum: 300_000, default: 10_000 }),
  CLUSTER_LEASE_MS: Type.Integer({ minimum: 1000, maximum: 60_000, default: 2000 }),
  HTTP_HOST: Type.String({ default: '127.0.0.1' }),
  HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  /**
   * An admin key that exists before any account: sign in with it to create the first accounts
   * (see README). Refused once an enabled admin account exists, so a copy left in an env file or
   * a shell history is no standing back door (features/auth/auth-service.ts).
   */
  ADMIN_TOKEN: Type.String({ minLength: 16 }),
  /**
   * true: ADMIN_TOKEN stays usable after admin accounts exist. For the test rig and as a
   * deliberate break-glass only; never in production (docs/security.md).
   */
  ADMIN_TOKEN_ALWAYS: Type.Boolean({ default: false }),
  /**
   * Addresses (or CIDRs, comma-separated) of the TLS proxies in front of the API. A request from
   * one of them is taken to come from the address its X-Forwarded-For names, for the login limits
   * and the audit log; from anyone else the header is ignored. Empty: no proxy is trusted.
   */
  TRUST_PROXY: Type.String({ pattern: '^([0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)?$', default: '' }),
  /** A signed-in session lasts this long (one shift), then the person signs in again. */
  SESSION_TTL_H: Type.Integer({ minimum: 1, maximum: 168, default: 12 }),
  /**
   * Login attempts one user name may make from one address before each next one waits (2 s,
   * then twice as long each time, up to LOGIN_WINDOW_MIN). Per address, not per user name, so a
   * stranger's guesses never lock the real person out (features/auth/login-limiter.ts).
   */
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** A user name and address not heard from for this long start afresh; also the longest wait. */
  LOGIN_WINDOW_MIN: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  /** Failed logins (any user names) and unknown bearer tokens one address may send in LOGIN_WINDOW_MIN. */
  LOGIN_MAX_PER_ADDRESS: Type.Integer({ minimum: 1, maximum: 10000, default: 50 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** auto: human-readable lines on a terminal, JSON otherwise (see shared/logger.ts); pretty or json to force one. */
  LOG_FORMAT: Type.Union([Type.Literal('auto'), Type.Literal('pretty'), Type.Literal('json')], { default: 'auto' }),
  /** Language callers hear by default: zh (Mandarin) or en. */
  PROMPT_LANG: Type.Union([Type.Literal('zh'), Type.Literal('en')], { default: 'zh' }),
  TZ_NAME: Type.String({ default: 'Asia/Shanghai' }),
  /** PJSIP endpoint of the carrier trunk: callbacks and transfers dial out through it. */
  TRUNK_ENDPOINT: Type.String({ default: 'trunk' }),
  /**
   * Networks agents' phones may register and call from (comma-separated CIDRs): both the source of
   * their requests and the Contact they register must fall inside (docs/security.md).
   */
  AGENT_NETWORKS: Type.String({ pattern: '^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$', default: '127.0.0.0/8' }),
  /**
   * The SIP guard (features/sip-edge): AMI on loopback, whose user reads security events and
   * writes pjsip_blocked.conf. Unset AMI_USER: no guard (and Asterisk's AMI stays off).
   */
  AMI_HOST: Type.String({ default: '127.0.0.1' }),
  AMI_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 5038 }),
  AMI_USER: Type.Optional(Type.String({ minLength: 1 })),
  AMI_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  /** A source failing SIP authentication this many times within SIP_GUARD_WINDOW_S is blocked for SIP_GUARD_BLOCK_MIN. */
  SIP_GUARD_MAX_FAILURES: Type.Integer({ minimum: 3, maximum: 1000, default: 20 }),
  SIP_GUARD_WINDOW_S: Type.Integer({ minimum: 1, maximum: 86400, default: 60 }),
  SIP_GUARD_BLOCK_MIN: Type.Integer({ minimum: 1, maximum: 10080, default: 60 }),
  /** Abandons quicker than this are flagged short (excluded from service level, see docs/metrics.md). */
  SHORT_ABANDON_S: Type.Integer({ minimum: 0, maximum: 60, default: 5 }),
  /** A caller not put through at once hears their position after this much hold music. */
  ANNOUNCE_FIRST_S: Type.Integer({ minimum: 0, maximum: 60, default: 2 }),
  /** Waiting callers hear their position and expected wait this often after the first time. */
  ANNOUNCE_EVERY_S: Type.Integer({ minimum: 10, maximum: 600, default: 30 }),
  /**
   * How old today's figures on /metrics and /api/live may be. Each refresh rebuilds today from
   * its calls (about 100 ms of CPU at 20,000 calls, on the reports' thread but on the cores
   * Asterisk uses too), so not every second a wallboard asks; calls waiting and agents' states
   * are always current.
   */
  LIVE_TODAY_EVERY_S: Type.Integer({ minimum: 1, maximum: 300, default: 15 }),
  /**
   * The reports' background roll-up sweep (features/reports/rollup-sweep.ts): closed days with
   * calls that lack a valid rollup (yesterday, days a late write or a backfill reached, days
   * never built) are built on the reports' thread, so the first report of a closed month reads
   * stored rollups. Off: each such day is built by the first report that needs it.
   */
  REPORTS_ROLLUP_SWEEP: Type.Boolean({ default: true }),
  /** How often a sweep runs (one job per tick for all instances sharing Redis). */
  REPORTS_ROLLUP_EVERY_S: Type.Integer({ minimum: 10, maximum: 86400, default: 600 }),
  /** How far back (days before today) the sweep keeps rollups built. */
  REPORTS_ROLLUP_LOOKBACK_DAYS: Type.Integer({ minimum: 1, maximum: 1098, default: 400 }),
  /** Service-level thresholds (seconds, comma-separated) whose rollups the sweep keeps ready besides the default 20. */
  REPORTS_ROLLUP_SL_SECONDS: Type.String({ pattern: '^([0-9]{1,4}(,[0-9]{1,4})*)?$', default: '' }),
  /**
   * How often each instance checks that Redis still holds the live state it wrote (see
   * features/live/live-state-watch.ts): a waiting caller Redis lost waits this long at most.
   */
  LIVE_STATE_CHECK_S: Type.Integer({ minimum: 1, maximum: 300, default: 5 }),
  /** Handle time assumed in the expected wait announced to callers. */
  AVG_HANDLE_S: Type.Integer({ minimum: 10, maximum: 3600, default: 180 }),
  /** Attempts to reach a taxpayer who asked to be called back, and the wait between them. */
  CALLBACK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 3 }),
  CALLBACK_RETRY_S: Type.Integer({ minimum: 1, maximum: 3600, default: 120 }),
  /**
   * The outbound dial policy (core/outbound/dial-policy.ts): which numbers callbacks and IVR
   * transfers may dial on the trunk. Fixed lines of the home city, the home province or the whole
   * mainland; mainland mobiles or not; national prefixes never dialled (premium-rate, short
   * service numbers: empty for the built-in list); calls placed per number per local day.
   */
  DIAL_SCOPE: Type.Union([Type.Literal('home_city'), Type.Literal('home_province'), Type.Literal('mainland')], {
    default: 'home_province',
  }),
  DIAL_MOBILES: Type.Boolean({ default: true }),
  DIAL_DENIED_PREFIXES: Type.Optional(Type.String({ pattern: '^[0-9]+(,[0-9]+)*$' })),
  DIAL_MAX_PER_NUMBER_PER_DAY: Type.Integer({ minimum: 1, maximum: 100, default: 6 }),
  /**
   * The home city's area code (with the trunk prefix); its province comes from
   * data/cn-area-codes.json, so the two cannot disagree. Also the default of the region report.
   */
  HOME_AREA_CODE: Type.String({ pattern: '^0[1-9][0-9]{1,2}$', default: '0571' }),
  /** A caller who called within this many hours is first offered to the agent who answered them. */
  PREFERRED_AGENT_WITHIN_H: Type.Integer({ minimum: 0, maximum: 720, default: 48 }),
  /**
   * A test agent (all skills, all queues) created at boot only when TEST_AGENT_PASSWORD is set:
   * opt-in, for the Quick start (scripts/up.sh sets one) and trials; leave it unset in production.
   */
  TEST_AGENT_ID: Type.String({ pattern: '^[0-9]{3,6}$', default: '1000' }),
  TEST_AGENT_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  /** Asterisk's sounds directory, where prompts are written for Asterisk to read. */
  SOUNDS_DIR: Type.String({ default: '/var/cache/tax12366/sid-rootfs/usr/share/asterisk/sounds' }),
  /**
   * Asterisk's recording directory (astspooldir/recording) as this process sees it: call
   * recordings are written there by Asterisk (a shared volume when Asterisk runs elsewhere, and
   * the one directory every Asterisk node writes to), read for playback and deleted by retention.
   */
  RECORDINGS_DIR: Type.String({ default: '/var/cache/tax12366/sid-rootfs/var/spool/asterisk/recording' }),
  /** Agents may list and play the recordings of calls they answered (off: supervisors and quality reviewers only). */
  RECORDINGS_AGENT_OWN: Type.Boolean({ default: false }),
  /** When the daily retention job runs (cron, in TZ_NAME): deletes expired recordings not on hold. */
  RECORDINGS_RETENTION_CRON: Type.String({ pattern: '^[0-9*/,-]+( [0-9*/,-]+){4}$', default: '30 3 * * *' }),
  /** Root filesystem whose espeak-ng and sox synthesize prompts; empty for the host's own. */
  TTS_ROOT: Type.String({ default: '/var/cache/tax12366/sid-rootfs' }),
});
export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** An empty variable means "unset" (so its default applies), except for these, where empty is the value. */
const EMPTY_IS_A_VALUE = new Set(['TTS_ROOT']);

/** Builds the config from an env map; every bad value is named, not just the first. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const keys = Object.keys(ConfigSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const k of keys) {
    const v = env[k];
    if (v !== undefined && (v !== '' || EMPTY_IS_A_VALUE.has(k))) raw[k] = v;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const e of errors) {
      const name = e.path.replace(/^\//, '') || '(root)';
      if (seen.has(name)) continue;
      seen.add(name);
      // Secrets are never echoed; a URL only without its password.
      const shown =
        name in raw && !/PASSWORD|TOKEN/.test(name)
          ? ` (got ${JSON.stringify(/URL/.test(name) ? redact(String(raw[name])) : raw[name])})`
          : '';
      problems.push(`${name}: ${e.message}${shown}`);
    }
    throw new ConfigError(problems);
  }
  return converted as Config;
}
