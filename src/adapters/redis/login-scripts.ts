import type { LuaScript } from './scripts.js';

/**
 * Login attempts: the check and the count are one step, so a hundred guesses sent at once get
 * no more tries than a hundred sent one by one.
 *
 * KEYS: the (user name, client address) pair's hash {n, until}, the client address's counter.
 * ARGV: now(ms), free attempts per pair, first back-off(ms), longest back-off(ms), quiet time
 * after which a pair or address is forgotten(ms), attempts per address in that time.
 * Returns 0 when this attempt may go ahead (it is counted as a failure until LOGIN_SUCCEEDED
 * says otherwise), else the milliseconds to wait.
 *
 * The back-off is per pair, not per user name: a stranger guessing a colleague's password
 * slows down only their own address, never the colleague signing in from theirs. The address
 * counter stops one source from trying many user names.
 */
export const LOGIN_ATTEMPT: LuaScript = {
  name: 'tax12366LoginAttempt',
  numberOfKeys: 2,
  lua: `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local quiet = tonumber(ARGV[5])
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if untilMs > now then return untilMs - now end
local perAddress = tonumber(redis.call('GET', KEYS[2]) or '0')
if perAddress >= tonumber(ARGV[6]) then
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < 1 then ttl = 1 end
  return ttl
end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local wait = 0
if n >= free then
  wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (n - free))
  redis.call('HSET', KEYS[1], 'until', string.format('%d', now + wait))
end
redis.call('PEXPIRE', KEYS[1], string.format('%d', quiet + wait))
redis.call('INCR', KEYS[2])
if redis.call('PTTL', KEYS[2]) < 0 then redis.call('PEXPIRE', KEYS[2], quiet) end
return 0
`,
};

/** KEYS: the pair's hash, the address's counter. A good password forgets the pair and takes its attempt back off the address. */
export const LOGIN_SUCCEEDED: LuaScript = {
  name: 'tax12366LoginSucceeded',
  numberOfKeys: 2,
  lua: `
redis.call('DEL', KEYS[1])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
return 1
`,
};

/**
 * Unknown bearer tokens from one address: KEYS: its counter; ARGV: quiet time(ms), limit.
 * Returns the count so far including this one.
 */
export const TOKEN_MISS: LuaScript = {
  name: 'tax12366TokenMiss',
  numberOfKeys: 1,
  lua: `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`,
};
