/** Q.850 causes on an agent leg that never answered, in the words our events use. */
export function missReason(cause: number): string {
  switch (cause) {
    case 19:
      return 'no_answer';
    case 17:
      return 'busy';
    case 21:
      return 'rejected';
    case 16:
      return 'cancelled';
    default:
      return 'unreachable';
  }
}
