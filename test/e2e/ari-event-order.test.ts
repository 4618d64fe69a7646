import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriHttp } from '../../src/adapters/ari/http.js';
import { AriClient } from '../../src/adapters/ari/client.js';
import { AriEventStream } from '../../src/adapters/ari/events.js';
import type { AriEvent } from '../../src/adapters/ari/types.js';
import { dtmfPcap, presses } from '../support/dtmf-pcap.js';
import { requireEnv } from '../support/rig.js';
import { sipp } from '../support/sipp.js';
import { uniqueCaller, waitFor } from '../support/service.js';

// The ARI adapter alone against real Asterisk: no service, this file owns the Stasis app.
let http: AriHttp;
let ari: AriClient;
let stream: AriEventStream;
const digits = new Map<string, string[]>();
beforeAll(async () => {
  const o = { url: requireEnv('ARI_URL'), user: requireEnv('ARI_USER'), password: requireEnv('ARI_PASSWORD') };
  http = new AriHttp({ ...o, maxSockets: 4 });
  ari = new AriClient(http, 'tax12366');
  stream = new AriEventStream({ ...o, app: 'tax12366', log: pino({ level: 'silent' }) }, (ev: AriEvent) => {
    if (ev.type === 'StasisStart') {
      digits.set(ev.channel.caller.number, []);
      void ari.answer(ev.channel.id);
    }
    if (ev.type === 'ChannelDtmfReceived') digits.get(ev.channel.caller.number)?.push(ev.digit);
  });
  stream.start();
  await stream.waitConnected(10_000);
});
afterAll(async () => {
  await stream?.stop();
  http?.close();
});

describe('ARI event stream against real Asterisk', () => {
  it('delivers back-to-back and repeated DTMF digits, every one, in order', async () => {
    const caller = uniqueCaller();
    const keys = '2112*#09';
    const run = sipp({
      scenario: 'caller-dtmf.xml',
      ip: '127.0.0.2',
      keys: { caller, dialed: '12366' },
      vars: { talk_ms: 4500 },
      files: { pcap: dtmfPcap(presses(keys, 600, 180, 80)) },
    });
    const r = await run.done;
    expect(r.code, r.errors || r.output.slice(-1500)).toBe(0);
    await waitFor(`all digits (got ${digits.get(caller)?.join('')})`, async () => digits.get(caller)?.length === keys.length, 5000);
    expect(digits.get(caller)!.join('')).toBe(keys);
  }, 30_000);
});
