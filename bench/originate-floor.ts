/**
 * The floor under any ACD that rings agents through ARI: Asterisk's own time for an ARI
 * originate, from the request leaving us to AMI DialBegin of the new channel, with nothing else
 * running and no decision to make. Beside it AMI's Originate of the same phone, for scale.
 * app_queue creates and dials its member's channel inside Asterisk and pays neither.
 */
import WebSocket from 'ws';
import { AriHttp } from '../src/adapters/ari/http.js';
import { AriClient } from '../src/adapters/ari/client.js';
import { sipp } from '../test/support/sipp.js';
import { freePorts, requireEnv } from '../test/support/rig.js';
import type { AmiTimeline } from './ami-timeline.js';

export interface FloorResult {
  via: 'ARI originate' | 'AMI Originate';
  n: number;
  dialled: number;
  p50: number;
  p99: number;
}

const APP = 'bench-floor';
const PHONE = 'benchfloor';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

export async function originateFloor(timeline: AmiTimeline, n: number, pct: (xs: number[], p: number) => number): Promise<FloorResult[]> {
  const [url, user, password] = [requireEnv('ARI_URL'), requireEnv('ARI_USER'), requireEnv('ARI_PASSWORD')];
  const http = new AriHttp({ url, user, password, maxSockets: 2 });
  const ari = new AriClient(http, APP);
  // ARI originates only into an application someone is connected to.
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ari/events?app=${APP}&subscribeAll=false`, {
    headers: { authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') },
  });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  timeline.clear();
  // A phone at a fixed contact that rings and never answers: no registration in the way.
  const port = freePorts().sip;
  const phone = sipp({ scenario: 'agent-ring-only.xml', server: true, sipPort: port, calls: 1_000_000, timeoutS: 600 });
  await ari.putDynamic('res_pjsip', 'aor', PHONE, { max_contacts: '1', contact: `sip:${PHONE}@127.0.0.1:${port}`, qualify_frequency: '0' });
  await ari.putDynamic('res_pjsip', 'endpoint', PHONE, {
    transport: 'transport-udp',
    context: 'from-agents',
    disallow: 'all',
    allow: 'alaw,ulaw',
    aors: PHONE,
    direct_media: 'no',
  });
  await sleep(1500);
  const amiOriginate = (id: string) =>
    timeline.action({
      action: 'Originate',
      channel: `PJSIP/${PHONE}`,
      application: 'Stasis',
      data: `${APP},agent`,
      channelid: id,
      async: 'true',
      timeout: '15000',
      callerid: '13900000000',
    });
  const out: FloorResult[] = [];
  try {
    for (const via of ['ARI originate', 'AMI Originate'] as const) {
      const took: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = `floor-${Date.now()}-${i}`;
        const t0 = now();
        if (via === 'AMI Originate') await amiOriginate(id);
        // As the ACD rings an agent (features/calls/call-service.ts ring_agent), screen-pop header included.
        else
          await ari.originate({
            channelId: id,
            endpoint: `PJSIP/${PHONE}`,
            appArgs: 'agent',
            callerId: '13900000000',
            timeoutS: 15,
            variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': id },
          });
        await sleep(50);
        const at = timeline.dialsByAgentUid().get(id)?.at;
        if (at !== undefined) took.push(at - t0);
        await ari.hangup(id);
        await sleep(50);
      }
      out.push({ via, n, dialled: took.length, p50: pct(took, 50), p99: pct(took, 99) });
    }
  } finally {
    phone.kill();
    ws.close();
    await ari.deleteDynamic('res_pjsip', 'endpoint', PHONE).catch(() => undefined);
    await ari.deleteDynamic('res_pjsip', 'aor', PHONE).catch(() => undefined);
    http.close();
  }
  return out;
}
