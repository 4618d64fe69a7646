import type { MoveName } from './state.js';

/**
 * An offered call rang out unanswered: the agent's move, given its run of missed offers in a row
 * (this one included) and the queue's noAnswerPauseAfter (0 = never pause). A paused agent is
 * paused straight from ringing, so it is never offered another call first; otherwise it is free again.
 */
export function afterMissedOffer(missesInARow: number, pauseAfter: number): Extract<MoveName, 'missPause' | 'unreserve'> {
  return pauseAfter > 0 && missesInARow >= pauseAfter ? 'missPause' : 'unreserve';
}
