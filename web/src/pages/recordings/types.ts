/** The recordings API's shapes (features/recordings, docs/recording.md), as the pages read them. */

export type HoldReason = 'complaint' | 'workorder';

export interface Hold {
  id: string;
  reason: HoldReason;
  /** The complaint's number or the work order's id. */
  ref: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface Recording {
  id: string;
  callId: string;
  /** 'mix': both parties; 'caller' / 'agent': one leg, where the queue records legs too. */
  kind: 'mix' | 'caller' | 'agent';
  name: string;
  queue: string;
  agentId: string | null;
  agentName: string | null;
  caller: string;
  startedAt: string;
  /** null while the call is still being recorded. */
  endedAt: string | null;
  durationMs: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  outcome: string | null;
  expiresAt: string;
  /** Set once retention deleted the file: the row stays, the audio is gone. */
  deletedAt: string | null;
  holds: Hold[];
  reviewed: boolean;
}

export interface RecordingPage {
  items: Recording[];
  next?: string;
}
