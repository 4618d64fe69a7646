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

/**
 * Exactly the events this service asks Asterisk for (CALL_EVENTS in features/calls/call-service.ts,
 * plus DeviceStateChanged for registrations and ApplicationReplaced for the stream itself), with the
 * fields it reads. Closed on purpose: AriEventStream drops every other type at the wire, so
 * consumers switch on `type` and get the right fields without casts. Asking Asterisk for another
 * event means adding it here first (EVENT_TYPES below will not compile until it is listed).
 */
export type AriEvent =
  | (Base & { type: 'StasisStart'; channel: AriChannel; args: string[]; replace_channel?: AriChannel })
  | (Base & { type: 'StasisEnd'; channel: AriChannel })
  | (Base & { type: 'ChannelDestroyed'; channel: AriChannel; cause: number; cause_txt: string })
  | (Base & { type: 'ChannelHangupRequest'; channel: AriChannel; cause?: number; soft?: boolean })
  | (Base & { type: 'ChannelDtmfReceived'; channel: AriChannel; digit: string; duration_ms: number })
  | (Base & { type: 'PlaybackFinished'; playback: AriPlayback })
  | (Base & { type: 'RecordingFinished'; recording: AriRecording })
  | (Base & { type: 'RecordingFailed'; recording: AriRecording })
  | (Base & { type: 'DeviceStateChanged'; device_state: { name: string; state: string } })
  | (Base & { type: 'ApplicationReplaced' });

export type AriEventType = AriEvent['type'];

/** Every type of AriEvent, once: a Record, so a type added to the union must be listed here too. */
const EVENT_TYPES: Record<AriEventType, true> = {
  StasisStart: true,
  StasisEnd: true,
  ChannelDestroyed: true,
  ChannelHangupRequest: true,
  ChannelDtmfReceived: true,
  PlaybackFinished: true,
  RecordingFinished: true,
  RecordingFailed: true,
  DeviceStateChanged: true,
  ApplicationReplaced: true,
};
export function isAriEventType(type: unknown): type is AriEventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_TYPES, type);
}

export interface AriPlayback {
  id: string;
  media_uri: string;
  target_uri: string;
  state: string;
}

/** ARI's LiveRecording, as RecordingFinished and RecordingFailed carry it. */
export interface AriRecording {
  name: string;
  format: string;
  state: string;
  target_uri: string;
  /** Seconds recorded; absent when nothing was. */
  duration?: number;
}
