import type { AriClient } from '../../adapters/ari/client.js';

/**
 * A survivor's claim on a channel it took over from a dead instance (features/cluster/takeover.ts),
 * and how the dead instance, restarted under its old app, reads it (CallService.reconcile): a
 * channel another app holds is not a stray of its own, though a channel listing still names the app
 * it entered by.
 */

/** Set on a channel once its move into the survivor's app is done. */
export const MOVED_TO_VAR = 'TAX12366_MOVED_TO';

/**
 * The survivor's claim, in the order Asterisk honours them. The subscription takes effect at once;
 * the move and the mark run on the channel's command queue, behind the prompt the dead instance
 * started and whatever the resumed call plays next. So the subscription is what makes this app hear
 * the channel (its keys, prompts and hang-up) wherever it is meanwhile; the mark is not awaited.
 * A channel not (or no longer) in Stasis refuses the move: false.
 */
export async function claimMoved(
  ari: Pick<AriClient, 'subscribe' | 'move' | 'setVar'>,
  channelId: string,
  app: string,
  args: string,
  onError: (what: string, err: Error) => void,
): Promise<boolean> {
  await ari.subscribe(`channel:${channelId}`).catch((err: Error) => onError('channel not subscribed', err));
  try {
    await ari.move(channelId, app, args);
  } catch (err) {
    onError('channel not moved', err as Error);
    return false;
  }
  void ari.setVar(channelId, MOVED_TO_VAR, app).catch((err: Error) => onError('moved channel not marked', err));
  return true;
}

/** Whether another app than `app` claimed this channel: subscribed to it, or marked it as moved there. */
export async function heldElsewhere(ari: Pick<AriClient, 'getVar' | 'applications'>, channelId: string, app: string): Promise<boolean> {
  const [movedTo, apps] = await Promise.all([
    ari.getVar(channelId, MOVED_TO_VAR).then(
      (r) => r.value,
      () => '',
    ),
    ari.applications().catch(() => []),
  ]);
  return (!!movedTo && movedTo !== app) || apps.some((a) => a.name !== app && a.channel_ids.includes(channelId));
}
