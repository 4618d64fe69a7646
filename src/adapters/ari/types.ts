/** The subset of ARI's data model this service reads. Field names are Asterisk's. */
export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime: string;
  language?: string;
}

export interface AriBridge {
  id: string;
  bridge_type: string;
  channels: string[];
  name?: string;
}

export interface AriEndpoint {
  technology: string;
  resource: string;
  state?: 'unknown' | 'offline' | 'online';
  channel_ids: string[];
}

interface Base {
  timestamp: string;
  application: string;
  asterisk_id?: string;
}

export type AriEvent =
  | (Base & { type: 'StasisStart'; channel: AriChannel; args: string[]; replace_channel?: AriChannel })
  | (Base & { type: 'StasisEnd'; channel: AriChannel })
  | (Base & { type: 'ChannelDestroyed'; channel: AriChannel; cause: number; cause_txt: string })
  | (Base & { type: 'ChannelHangupRequest'; channel: AriChannel; cause?: number; soft?: boolean })
  | (Base & { type: 'ChannelStateChange'; channel: AriChannel })
  | (Base & { type: 'ChannelDtmfReceived'; channel: AriChannel; digit: string; duration_ms: number })
  | (Base & { type: 'Dial'; peer: AriChannel; caller?: AriChannel; dialstatus: string })
  | (Base & { type: 'PlaybackStarted'; playback: AriPlayback })
  | (Base & { type: 'PlaybackFinished'; playback: AriPlayback })
  | (Base & { type: 'EndpointStateChange'; endpoint: AriEndpoint })
  | (Base & { type: 'ContactStatusChange'; endpoint: AriEndpoint; contact_info: { aor: string; contact_status: string; uri: string } })
  | (Base & { type: 'ChannelEnteredBridge'; bridge: AriBridge; channel: AriChannel })
  | (Base & { type: 'ChannelLeftBridge'; bridge: AriBridge; channel: AriChannel })
  | (Base & { type: 'DeviceStateChanged'; device_state: { name: string; state: string } })
  | (Base & { type: 'ApplicationReplaced' })
  | (Base & { type: string; channel?: AriChannel; [k: string]: unknown });

export interface AriPlayback {
  id: string;
  media_uri: string;
  target_uri: string;
  state: string;
}
