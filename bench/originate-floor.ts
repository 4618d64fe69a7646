/**
 * The floor under any ACD that rings agents through ARI: Asterisk's own time for an ARI
 * originate, from the request leaving us to AMI DialBegin of the new channel, with nothing else
 * running and no decision to make. Beside it AMI's Originate of the same phone, for scale.
 * app_queue creates and dials its member's channel inside Asterisk and pays neither.
 *
 * The alternatives an ACD could use, each timed the same way (kept so they can be measured again):
 *  - the same originate sent as a RESTRequest over the ARI WebSocket (Asterisk 22's REST over
 *    WebSocket): no HTTP parsing or socket pool on either side;
 *  - a channel created ahead (POST /channels/create, not timed: done while the agent is idle),
 *    then only POST /channels/{id}/dial timed: what an ACD keeping a channel ready per idle agent pays.
 */
import WebSocket from 'ws';
import { AriHttp } from '../src/adapters/ari/http.js';
import { AriClient } from '../src/adapters/ari/client.js';
import { sipp } from '../test/support/sipp.js';
import { freePorts, requireEnv } from '../test/support/rig.js';
import type { AmiTimeline } from './ami-timeline.js';

export type Via = 'ARI originate' | 'ARI originate over the WebSocket' | 'ARI created ahead, then dial' | 'AMI Originate';

export interface FloorResult {
  via: Via;
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
  const pending = new Map<string, (status: number) => void>();
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { type: string; request_id?: string; status_code?: number };
    if (m.type === 'RESTResponse' && m.request_id) pending.get(m.request_id)?.(m.status_code ?? 0);
  });
  /** The ACD's originate, as a RESTRequest on the event WebSocket; resolves on Asterisk's RESTResponse. */
  const wsOriginate = (id: string) =>
    new Promise<void>((resolve, reject) => {
      pending.set(id, (status) => {
        pending.delete(id);
        if (status >= 300) reject(new Error(`REST over WebSocket: ${status}`));
        else resolve();
      });
      const q = new URLSearchParams({
        endpoint: `PJSIP/${PHONE}`,
        app: APP,
        appArgs: 'agent',
        callerId: '13900000000',
        timeout: '15',
        channelId: id,
      });
      ws.send(
        JSON.stringify({
          type: 'RESTRequest',
          request_id: id,
          method: 'POST',
          uri: `channels?${q.toString()}`,
          content_type: 'application/json',
          message_body: JSON.stringify({ variables: { 'PJSIP_HEADER(add,X-Tax12366-Call-Id)': id } }),
        }),
      );
    });
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
    const vias: Via[] = ['ARI originate', 'ARI originate over the WebSocket', 'ARI created ahead, then dial', 'AMI Originate'];
    for (const via of vias) {
      const took: number[] = [];
      for (let i = 0; i < n; i++) {
        const id = `floor-${Date.now()}-${i}`;
        if (via === 'ARI created ahead, then dial') {
          await http.post('channels/create', { endpoint: `PJSIP/${PHONE}`, app: APP, appArgs: 'agent', channelId: id });
          await sleep(20);
        }
        const t0 = now();
        if (via === 'AMI Originate') await amiOriginate(id);
        else if (via === 'ARI originate over the WebSocket') await wsOriginate(id);
        else if (via === 'ARI created ahead, then dial') await http.post(`channels/${id}/dial`, { timeout: 15 });
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
