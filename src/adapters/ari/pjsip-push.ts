import { createHash } from 'node:crypto';
import type { AriClient } from './client.js';

/** Must match pjsip.conf's default_realm: the digest below is bound to it. */
export const SIP_REALM = 'tax12366';

export function sipDigest(username: string, password: string): string {
  return createHash('md5').update(`${username}:${SIP_REALM}:${password}`).digest('hex');
}

type Fields = Record<string, string>;

/** Every address, IPv4 and IPv6: denied first, then the agents' networks permitted (Asterisk's last matching rule wins). */
const EVERYWHERE = '0.0.0.0/0.0.0.0,::/0';

/**
 * An agent's phone as Asterisk's three PJSIP objects, in the order they are pushed. `networks` are
 * where agents' phones may be (AGENT_NETWORKS): their requests must come from there and the
 * Contact they register must point there, so a stolen password is no use elsewhere and a
 * registration cannot make Asterisk send calls (and audio) to an outside address.
 */
export function phoneObjects(
  a: { agentId: string; name: string; sipMd5: string },
  networks: readonly string[],
): Array<['auth' | 'aor' | 'endpoint', Fields]> {
  const id = a.agentId;
  const permit = networks.join(',');
  return [
    ['auth', { auth_type: 'digest', username: id, realm: SIP_REALM, md5_cred: a.sipMd5 }],
    ['aor', { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '0' }],
    [
      'endpoint',
      {
        transport: 'transport-udp',
        context: 'from-agents',
        disallow: 'all',
        allow: 'alaw,ulaw',
        auth: id,
        aors: id,
        // By the user name it sends, then the digest challenge; never by source address.
        identify_by: 'username',
        deny: EVERYWHERE,
        permit,
        contact_deny: EVERYWHERE,
        contact_permit: permit,
        direct_media: 'no',
        dtmf_mode: 'rfc4733',
        rtp_symmetric: 'yes',
        force_rport: 'yes',
        // The Contact as registered, not the REGISTER's source port: lets test phones register from
        // one port and ring on another. Phones behind NAT need an SBC or rewrite_contact.
        rewrite_contact: 'no',
        language: 'zh',
        callerid: `"${a.name.replace(/"/g, '')}" <${id}>`,
      },
    ],
  ];
}

/**
 * Names what a push sends, so that pushing again can be skipped when Asterisk already has it:
 * Asterisk re-applies every option of an object it updates, and warns for each deprecated one
 * (stir_shaken, once per phone at every reconnection).
 */
export function phoneFingerprint(objects: ReturnType<typeof phoneObjects>): string {
  return createHash('sha256').update(JSON.stringify(objects)).digest('hex').slice(0, 32);
}

/**
 * An agent's phone as PJSIP auth + aor + endpoint, pushed through ARI into Sorcery's memory
 * wizard (asterisk-config/sorcery.conf). Chosen over PJSIP realtime because it needs no
 * database driver inside Asterisk and takes effect at once; since memory objects vanish when
 * Asterisk restarts, the service pushes every agent again whenever it (re)connects, except those
 * Asterisk still has as last pushed. The endpoint goes last: its presence means all three arrived.
 */
export async function pushAgentPhone(ari: AriClient, objects: ReturnType<typeof phoneObjects>, agentId: string): Promise<void> {
  for (const [kind, fields] of objects) {
    // An endpoint is replaced, never updated in place: Asterisk 22 re-applies an existing
    // endpoint's deny/permit lists on an update as a named ACL "deny/permit" that does not exist,
    // and then refuses every request of that phone ("Not match Endpoint ACL"). Its registration
    // lives in the AOR, so it survives.
    if (kind === 'endpoint') await ari.deleteDynamic('res_pjsip', kind, agentId);
    await ari.putDynamic('res_pjsip', kind, agentId, fields);
  }
}
