import { type AriHttp, AriHttpError, isGone } from './http.js';
import type { AriBridge, AriChannel, AriEndpoint } from './types.js';

/** The ARI resources this service drives, as named operations over one HTTP pool. */
export class AriClient {
  constructor(
    readonly http: AriHttp,
    readonly app: string,
  ) {}

  /**
   * Asterisk sends our app only these event types. Every event of every channel in the app goes
   * through one Asterisk task queue and our one event loop; the ones no handler reads (variable
   * sets, dialplan steps, bridge and state chatter) cost both and tell us nothing.
   */
  allowEvents(types: readonly string[]): Promise<{ events_allowed?: Array<{ type: string }> }> {
    return this.http.put(`applications/${enc(this.app)}/eventFilter`, undefined, {
      allowed: types.map((type) => ({ type })),
      disallowed: [],
    });
  }

  info(): Promise<{ system: { version: string } }> {
    return this.http.get('asterisk/info');
  }

  /** When this Asterisk started (its own clock, as it reports it): a change means it restarted. */
  async startedAt(): Promise<string> {
    const r = await this.http.get<{ status: { startup_time: string } }>('asterisk/info', { only: 'status' });
    return r.status.startup_time;
  }

  listChannels(): Promise<AriChannel[]> {
    return this.http.get('channels');
  }
  /** One channel, or undefined once it is gone. */
  channel(channelId: string): Promise<AriChannel | undefined> {
    return ignoreGone(this.http.get<AriChannel>(`channels/${enc(channelId)}`));
  }
  answer(channelId: string): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/answer`);
  }
  hangup(channelId: string, reason = 'normal'): Promise<void> {
    return ignoreGone(this.http.delete(`channels/${enc(channelId)}`, { reason }));
  }
  play(channelId: string, playbackId: string, media: string[], lang?: string): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/play/${enc(playbackId)}`, { media: media.join(','), lang });
  }
  stopPlayback(playbackId: string): Promise<void> {
    return ignoreGone(this.http.delete(`playbacks/${enc(playbackId)}`));
  }
  startMoh(channelId: string, mohClass = 'default'): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/moh`, { mohClass });
  }
  stopMoh(channelId: string): Promise<void> {
    return ignoreGone(this.http.delete(`channels/${enc(channelId)}/moh`));
  }
  getVar(channelId: string, variable: string): Promise<{ value: string }> {
    return this.http.get(`channels/${enc(channelId)}/variable`, { variable });
  }
  setVar(channelId: string, variable: string, value: string): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/variable`, { variable, value });
  }
  continueInDialplan(channelId: string, context: string, extension: string, priority = 1): Promise<void> {
    return ignoreGone(this.http.post(`channels/${enc(channelId)}/continue`, { context, extension, priority }));
  }

  /** Dials an endpoint into our app. The channel id is ours, so events can be tied to the call before any arrive. */
  originate(p: {
    channelId: string;
    endpoint: string;
    appArgs: string;
    callerId: string;
    timeoutS: number;
    variables?: Record<string, string>;
  }): Promise<AriChannel> {
    return this.http.postUrgent(
      'channels',
      {
        endpoint: p.endpoint,
        app: this.app,
        appArgs: p.appArgs,
        callerId: p.callerId,
        timeout: p.timeoutS,
        channelId: p.channelId,
      },
      { variables: p.variables ?? {} },
    );
  }

  /** Records the caller (a voicemail) into Asterisk's recording directory as <name>.wav. */
  record(channelId: string, name: string, maxSeconds: number): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/record`, {
      name,
      format: 'wav',
      maxDurationSeconds: maxSeconds,
      beep: true,
      terminateOn: '#',
      ifExists: 'overwrite',
    });
  }

  /** Records a channel (a snoop on one party) into <name>.wav until it hangs up; no beep, no key ends it. */
  recordChannel(channelId: string, name: string): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/record`, { name, ...CONVERSATION });
  }

  /**
   * Records a snoop channel just created. Asterisk answers the snoop request before the snoop has
   * entered Stasis (it does so on a thread of its own), and until then a record on it is refused
   * with 404 / 409: seen once in a CI run under load, a party's recording lost. Retried on those
   * two only, with backoff, for at most ~3 s; anything else is a real refusal.
   */
  async recordSnoop(snoopId: string, name: string, delaysMs: readonly number[] = SNOOP_RETRY_MS): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.recordChannel(snoopId, name);
      } catch (err) {
        const notYet = err instanceof AriHttpError && (err.status === 404 || err.status === 409);
        const wait = delaysMs[attempt];
        if (!notYet || wait === undefined) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * Records everything the bridge mixes (both parties) into <name>.wav under Asterisk's recording
   * directory, until the bridge is destroyed. Refuses to overwrite: a name is one call's.
   */
  recordBridge(bridgeId: string, name: string): Promise<void> {
    return this.http.post(`bridges/${enc(bridgeId)}/record`, { name, ...CONVERSATION });
  }

  /**
   * A snoop channel on `channelId` into our app: it hears the channel (`spy`) and what is written
   * to it is whispered into the channel (`whisper`). Its id is ours, so its StasisStart is known.
   */
  snoop(
    channelId: string,
    p: { snoopId: string; appArgs: string; spy: 'none' | 'in' | 'out' | 'both'; whisper: 'none' | 'in' | 'out' | 'both' },
  ): Promise<AriChannel> {
    return this.http.post(`channels/${enc(channelId)}/snoop/${enc(p.snoopId)}`, {
      app: this.app,
      appArgs: p.appArgs,
      spy: p.spy,
      whisper: p.whisper,
    });
  }

  createBridge(bridgeId: string, name: string): Promise<AriBridge> {
    return this.http.post(`bridges/${enc(bridgeId)}`, { type: 'mixing', name });
  }
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.http.post(`bridges/${enc(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }
  removeFromBridge(bridgeId: string, channelId: string): Promise<void> {
    return ignoreGone(this.http.post(`bridges/${enc(bridgeId)}/removeChannel`, { channel: channelId }));
  }
  destroyBridge(bridgeId: string): Promise<void> {
    return ignoreGone(this.http.delete(`bridges/${enc(bridgeId)}`));
  }

  /**
   * Hands a channel in Stasis (of any app, a dead instance's too) to another app, where it
   * arrives as a StasisStart with these arguments; it stays in its bridge.
   */
  move(channelId: string, app: string, appArgs: string): Promise<void> {
    return this.http.post(`channels/${enc(channelId)}/move`, { app, appArgs });
  }

  /** A dialplan global variable (the live Stasis apps the dialplan tries: features/cluster/app-list.ts). */
  setGlobal(variable: string, value: string): Promise<void> {
    return this.http.post('asterisk/variable', { variable, value });
  }

  endpoints(tech: string): Promise<AriEndpoint[]> {
    return this.http.get(`endpoints/${enc(tech)}`);
  }
  endpoint(tech: string, resource: string): Promise<AriEndpoint> {
    return this.http.get(`endpoints/${enc(tech)}/${enc(resource)}`);
  }
  /** Every Stasis app Asterisk knows, with the channels each is subscribed to. */
  applications(): Promise<Array<{ name: string; channel_ids: string[] }>> {
    return this.http.get('applications');
  }
  subscribe(eventSource: string): Promise<void> {
    return this.http.post(`applications/${enc(this.app)}/subscription`, { eventSource });
  }
  /**
   * Subscriptions outlive our WebSocket in Asterisk: drops those of the kinds given (endpoint ones
   * would double channel events; all of them, so a stopped app stops receiving anything).
   */
  async dropSubscriptions(kinds: ReadonlyArray<'endpoint' | 'deviceState' | 'channel' | 'bridge'>): Promise<void> {
    const app = await this.http.get<{ endpoint_ids?: string[]; device_names?: string[]; channel_ids?: string[]; bridge_ids?: string[] }>(
      `applications/${enc(this.app)}`,
    );
    const held = { endpoint: app.endpoint_ids, deviceState: app.device_names, channel: app.channel_ids, bridge: app.bridge_ids };
    const sources = kinds.flatMap((k) => (held[k] ?? []).map((id) => `${k}:${id}`));
    for (let i = 0; i < sources.length; i += 50) {
      await this.http.delete(`applications/${enc(this.app)}/subscription`, { eventSource: sources.slice(i, i + 50).join(',') });
    }
  }

  /** ARI push configuration into Sorcery's memory wizard (see asterisk-config/sorcery.conf). */
  putDynamic(configClass: string, objectType: string, id: string, fields: Record<string, string>): Promise<unknown> {
    return this.http.put(`asterisk/config/dynamic/${enc(configClass)}/${enc(objectType)}/${enc(id)}`, undefined, {
      fields: Object.entries(fields).map(([attribute, value]) => ({ attribute, value })),
    });
  }
  deleteDynamic(configClass: string, objectType: string, id: string): Promise<void> {
    return ignoreGone(this.http.delete(`asterisk/config/dynamic/${enc(configClass)}/${enc(objectType)}/${enc(id)}`));
  }
}

const enc = encodeURIComponent;

/**
 * A conversation's recording: WAV, as long as the call lasts (no cap, silence kept), no beep, no
 * key ends it, and never over another file (a name is one call's).
 */
const CONVERSATION = {
  format: 'wav',
  maxDurationSeconds: 0,
  maxSilenceSeconds: 0,
  ifExists: 'fail',
  beep: false,
  terminateOn: 'none',
} as const;

async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}

/** Waits between attempts to record a snoop not yet in Stasis (recordSnoop): ~3 s in all. */
const SNOOP_RETRY_MS = [50, 100, 200, 400, 800, 1600] as const;
