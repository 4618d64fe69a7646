/**
 * A PJSIP device is UNAVAILABLE when no contact is registered; any in-use state means a
 * registered phone (busy or not: whether it may be offered a call is the agent state's business).
 */
export function phoneReachable(deviceState: string): boolean {
  return !['UNAVAILABLE', 'INVALID', 'UNKNOWN'].includes(deviceState);
}
