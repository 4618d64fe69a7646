import type { AriChannel } from './types.js';

/**
 * The Stasis arguments of a channel in `app`, as the dialplan gave them ("inbound,12366"), or
 * undefined for a channel elsewhere (another app, or not in Stasis). Read from a channel listing,
 * for channels whose StasisStart this instance never saw.
 */
export function stasisArgsIn(ch: AriChannel, app: string): string | undefined {
  if (ch.dialplan.app_name !== 'Stasis') return undefined;
  const data = ch.dialplan.app_data ?? '';
  if (data === app) return '';
  return data.startsWith(`${app},`) ? data.slice(app.length + 1) : undefined;
}
