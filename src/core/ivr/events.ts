import type { Ctx } from '../ctx.js';

/**
 * What the IVR tells reports: where the caller went and why they left. Shaped like the
 * domain events in ../events.ts so they can join its union without conversion.
 */
export type IvrLeftReason = 'queued' | 'voicemail' | 'transferred' | 'hangup' | 'caller_hung_up' | 'retries_exhausted';

export type IvrEventBody =
  | { type: 'ivr.entered'; callId: string; definition: string }
  | { type: 'ivr.node_visited'; callId: string; nodeId: string; digit?: string }
  | { type: 'ivr.input_failed'; callId: string; nodeId: string; reason: 'invalid' | 'timeout'; digit?: string; attempt: number }
  | { type: 'ivr.left'; callId: string; nodeId: string; reason: IvrLeftReason; queue?: string };

export type IvrEvent = IvrEventBody & { id: string; at: string; v: 1 };

/** Same stamping as ../events.ts stamp(), typed for IVR bodies. */
export function stampIvr(ctx: Ctx, body: IvrEventBody): IvrEvent {
  return { ...body, id: ctx.newId(), at: new Date(ctx.now).toISOString(), v: 1 };
}
