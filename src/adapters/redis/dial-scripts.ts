import type { LuaScript } from './scripts.js';

/**
 * One call placed to a number today, if today's calls to it are not used up: the check and the
 * count are one step, so callbacks dialled at once by several instances (or several jobs for one
 * number) never place more than the cap between them.
 *
 * KEYS: the number's counter for the day. ARGV: the cap, when the day ends (epoch ms; the
 * counter goes then). Returns the count including this call, or -1 when the cap was reached
 * (nothing counted).
 */
export const DIAL_TAKE: LuaScript = {
  name: 'tax12366DialTake',
  numberOfKeys: 1,
  lua: `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return -1 end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[2]) end
return n
`,
};
