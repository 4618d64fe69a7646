import AsteriskManager from 'asterisk-manager';
import type { Logger } from 'pino';
import { AUTH_FAILURE_EVENTS, FailureLimit, remoteAddress, type FailureLimitPolicy } from '../../core/sip-edge/failure-limit.js';

/** The pjsip.conf acl object the guard owns (asterisk-config/pjsip_blocked.conf). */
const FILE = 'pjsip_blocked.conf';
const CATEGORY = 'sip-guard';

export interface SipGuardOptions extends FailureLimitPolicy {
  host: string;
  port: number;
  user: string;
  password: string;
  log: Logger;
  now?: () => number;
}

/**
 * Blocks SIP sources that keep failing authentication (password guessing against agents' phones).
 * Asterisk has no such limit of its own: it reports each failure as an AMI security event, and
 * applies an acl object of pjsip.conf to every request before any endpoint sees it. So the guard
 * counts the events per source address (core/sip-edge/failure-limit.ts) and, when one crosses
 * the limit, rewrites pjsip_blocked.conf through AMI UpdateConfig and reloads res_pjsip (res_pjsip_acl
 * cannot reload alone; agents pushed through ARI live in the memory wizard and are kept). Its AMI
 * user reads only security events and writes only configuration (asterisk-config/render-secrets.sh).
 */
export class SipGuard {
  private readonly limit: FailureLimit;
  private readonly ami: AsteriskManager;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private writing = Promise.resolve();

  constructor(private readonly o: SipGuardOptions) {
    this.limit = new FailureLimit(o);
    this.now = o.now ?? Date.now;
    this.ami = new AsteriskManager(o.port, o.host, o.user, o.password, true);
    this.ami.keepConnected();
    this.ami.on('managerevent', (e: Record<string, string>) => this.onEvent(e));
    this.ami.on('error', (err: Error) => o.log.warn({ err: err.message }, 'SIP guard: AMI connection error'));
  }

  /** Starts from an empty block list (blocks do not outlive the service), then expires blocks every 10 s. */
  async start(): Promise<void> {
    await this.write();
    this.timer = setInterval(() => {
      const ended = this.limit.expire(this.now());
      for (const address of ended) this.o.log.info({ address }, 'SIP guard: block ended');
      if (ended.length) void this.queueWrite();
    }, 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.ami.disconnect();
  }

  private onEvent(e: Record<string, string>): void {
    if (!AUTH_FAILURE_EVENTS.has(e.event ?? '')) return;
    const address = remoteAddress(e.remoteaddress);
    if (!address) return;
    const verdict = this.limit.fail(address, this.now());
    if (!verdict.block) return;
    // The one line per blocked source operators look for.
    this.o.log.warn(
      {
        address,
        failures: verdict.failures,
        windowS: this.o.windowMs / 1000,
        until: new Date(verdict.until).toISOString(),
        account: e.accountid,
        lastEvent: e.event,
      },
      `SIP guard: blocked ${address} after ${verdict.failures} failed SIP authentications`,
    );
    void this.queueWrite();
  }

  private queueWrite(): Promise<void> {
    this.writing = this.writing
      .then(() => this.write())
      .catch((err: Error) => this.o.log.error({ err: err.message }, 'SIP guard: could not write the block list'));
    return this.writing;
  }

  /** The whole acl object from the current list: idempotent, so a lost update is mended by the next. */
  private write(): Promise<void> {
    const deny = this.limit.blockedAt(this.now());
    const actions: Array<[string, string, string?]> = [
      ['EmptyCat', ''],
      ['Append', 'type', 'acl'],
    ];
    for (const a of deny) actions.push(['Append', 'deny', a.includes(':') ? `${a}/128` : `${a}/32`]);
    const fields: Record<string, string> = { action: 'UpdateConfig', srcfilename: FILE, dstfilename: FILE, reload: 'res_pjsip.so' };
    actions.forEach(([action, v, value], i) => {
      const n = String(i).padStart(6, '0');
      fields[`action-${n}`] = action;
      fields[`cat-${n}`] = CATEGORY;
      if (v) fields[`var-${n}`] = v;
      if (value !== undefined) fields[`value-${n}`] = value;
    });
    return new Promise((resolve, reject) =>
      this.ami.action(fields, (err, res) => {
        const r = res as { response?: string; message?: string } | undefined;
        if (err || r?.response?.toLowerCase() !== 'success') reject(new Error(`AMI UpdateConfig ${FILE}: ${JSON.stringify(err ?? r)}`));
        else resolve();
      }),
    );
  }
}
