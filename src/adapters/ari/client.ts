import { type AriHttp, isGone } from './http.js';
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

  listChannels(): Promise<AriChannel[]> {
    return this.http.get('channels');
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

  createBridge(bridgeId: string, name: string): Promise<AriBridge> {
    return this.http.post(`bridges/${enc(bridgeId)}`, { type: 'mixing', name });
  }
  addToBridge(bridgeId: string, channelIds: string[]): Promise<void> {
    return this.http.post(`bridges/${enc(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }
  destroyBridge(bridgeId: string): Promise<void> {
    return ignoreGone(this.http.delete(`bridges/${enc(bridgeId)}`));
  }

  endpoints(tech: string): Promise<AriEndpoint[]> {
    return this.http.get(`endpoints/${enc(tech)}`);
  }
  endpoint(tech: string, resource: string): Promise<AriEndpoint> {
    return this.http.get(`endpoints/${enc(tech)}/${enc(resource)}`);
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

async function ignoreGone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
}
