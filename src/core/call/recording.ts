/**
 * Recording a conversation (issue 23, docs/recording.md): what the call flow decides, with no I/O.
 *
 * - A queue with `recording` records every call answered in it: the bridge (both parties mixed,
 *   one file), started as the caller and agent are bridged and finished when the call ends.
 * - With `notice` (the default), the caller hears the recording notice (录音提示) once, as they
 *   enter such a queue and before any agent is connected: the notice replaces hold music while it
 *   plays; an agent who answers meanwhile is bridged when it ends, so no conversation is heard
 *   before the caller was told.
 */
import type { RecordingRules } from '../routing/model.js';

/** The system prompt (prompts/system.yaml) played as the recording notice. */
export const RECORDING_NOTICE_PROMPT = 'recording-notice';

/** China has one time zone and no daylight saving: the day a file belongs to is UTC+8's. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/**
 * The recording's name under Asterisk's recording directory: one folder per day (Asia/Shanghai),
 * so an operator finds a day's files, and the call id, so the file names its call. Only
 * [0-9a-f-] and the date come in: nothing a caller typed or said is ever part of a path.
 */
export function recordingName(callId: string, now: number): string {
  const d = new Date(now + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  return `calls/${d}/${callId.replace(/[^0-9A-Za-z-]/g, '')}`;
}

/** When a recording made now expires. */
export function expiresAt(startedAt: number, rules: Pick<RecordingRules, 'retentionDays'>): number {
  return startedAt + rules.retentionDays * 86_400_000;
}

/** The recording in progress for a call, as its state keeps it. */
export interface CallRecording {
  id: string;
  name: string;
  startedAt: number;
  /**
   * One file per party, when the queue records legs: each is the recording of a snoop channel
   * (its id is the recording's) hearing what that party says.
   */
  legs?: LegRecording[];
}

export interface LegRecording {
  id: string;
  name: string;
  kind: 'caller' | 'agent';
  /** The party's channel the snoop listens to. */
  channelId: string;
}

/** The notice: playing (`done` unset) or heard. */
export interface RecordingNotice {
  playbackId: string;
  done?: boolean;
}
