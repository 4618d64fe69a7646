import type { Feature } from '../../app/feature.js';
import type { Infrastructure } from '../../app/infrastructure.js';
import { SipGuard } from './sip-guard.js';

/**
 * The SIP guard when AMI is configured (AMI_USER, AMI_PASSWORD), else none, said once in the log:
 * without it a password can be guessed at Asterisk's pace. Never fails the service's start: AMI
 * away, it keeps reconnecting and writes the list at the next change.
 */
export function registerSipEdge({ config, log }: Infrastructure): Feature {
  const glog = log.child({ component: 'sip-guard' });
  if (!config.AMI_USER || !config.AMI_PASSWORD) {
    return { start: () => glog.warn('SIP guard off (AMI_USER/AMI_PASSWORD unset): sources failing SIP authentication are not blocked') };
  }
  const guard = new SipGuard({
    host: config.AMI_HOST,
    port: config.AMI_PORT,
    user: config.AMI_USER,
    password: config.AMI_PASSWORD,
    log: glog,
    maxFailures: config.SIP_GUARD_MAX_FAILURES,
    windowMs: config.SIP_GUARD_WINDOW_S * 1000,
    blockMs: config.SIP_GUARD_BLOCK_MIN * 60_000,
  });
  return {
    start: () => guard.start().catch((err: Error) => glog.warn({ err: err.message }, 'SIP guard: could not clear the block list at start')),
    stop: () => guard.stop(),
  };
}
