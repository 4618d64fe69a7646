import { createHash } from 'node:crypto';
import type { AriClient } from './client.js';

/** Must match pjsip.conf's default_realm: the digest below is bound to it. */
export const SIP_REALM = 'tax12366';

export function sipDigest(username: string, password: string): string {
  return createHash('md5').update(`${username}:${SIP_REALM}:${password}`).digest('hex');
}

/**
 * An agent's phone as PJSIP auth + aor + endpoint, pushed through ARI into Sorcery's memory
 * wizard (asterisk-config/sorcery.conf). Chosen over PJSIP realtime because it needs no
 * database driver inside Asterisk and takes effect at once; since memory objects vanish when
 * Asterisk restarts, the service pushes every agent again whenever it (re)connects.
 */
export async function pushAgentPhone(ari: AriClient, a: { agentId: string; name: string; sipMd5: string }): Promise<void> {
  const id = a.agentId;
  await ari.putDynamic('res_pjsip', 'auth', id, { auth_type: 'digest', username: id, realm: SIP_REALM, md5_cred: a.sipMd5 });
  await ari.putDynamic('res_pjsip', 'aor', id, { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '0' });
  await ari.putDynamic('res_pjsip', 'endpoint', id, {
    transport: 'transport-udp',
    context: 'from-agents',
    disallow: 'all',
    allow: 'alaw,ulaw',
    auth: id,
    aors: id,
    direct_media: 'no',
    dtmf_mode: 'rfc4733',
    rtp_symmetric: 'yes',
    force_rport: 'yes',
    // The Contact as registered, not the REGISTER's source port: lets test phones register from
    // one port and ring on another. Phones behind NAT need an SBC or rewrite_contact.
    rewrite_contact: 'no',
    language: 'zh',
    callerid: `"${a.name.replace(/"/g, '')}" <${id}>`,
  });
}
