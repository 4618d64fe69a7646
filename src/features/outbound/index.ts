import type { Infrastructure } from '../../app/infrastructure.js';
import { DEFAULT_DENIED_PREFIXES, type DialPolicy } from '../../core/outbound/dial-policy.js';
import { homeArea, loadAreaCodes } from '../reports/service.js';
import { DialGuard } from './dial-guard.js';

export interface OutboundFeature {
  guard: DialGuard;
}

/**
 * The outbound dial policy from configuration (DIAL_*, HOME_AREA_CODE): the callbacks, the calls'
 * callback offer and the IVR's transfer nodes all ask this one guard.
 */
export function registerOutbound({ config, redis, keys }: Infrastructure): OutboundFeature {
  const table = loadAreaCodes();
  const home = homeArea(config.HOME_AREA_CODE, table);
  if (!home) throw new Error(`HOME_AREA_CODE ${config.HOME_AREA_CODE} is not in data/cn-area-codes.json`);
  const policy: DialPolicy = {
    scope: config.DIAL_SCOPE,
    mobiles: config.DIAL_MOBILES,
    deniedPrefixes: config.DIAL_DENIED_PREFIXES ? config.DIAL_DENIED_PREFIXES.split(',') : DEFAULT_DENIED_PREFIXES,
    maxPerNumberPerDay: config.DIAL_MAX_PER_NUMBER_PER_DAY,
  };
  return { guard: new DialGuard({ redis, key: keys.dialsToday, policy, table, home, tz: config.TZ_NAME }) };
}
