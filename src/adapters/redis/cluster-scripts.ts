import type { LuaScript } from './scripts.js';

/**
 * The cluster's leases (features/cluster): each a take-or-renew in one step, so two instances
 * never both believe they hold one.
 */

/**
 * A singleton lease taken or renewed by its holder. KEYS: the lease. ARGV: holder, ttl (ms).
 * Returns 1 when held by this holder now, 0 when another holds it.
 */
export const LEASE_TAKE: LuaScript = {
  name: 'tax12366LeaseTake',
  numberOfKeys: 1,
  lua: `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`,
};

/** Let go of a lease, only if still ours. KEYS: the lease. ARGV: holder. */
export const LEASE_RELEASE: LuaScript = {
  name: 'tax12366LeaseRelease',
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
};

/**
 * An instance's heartbeat: its liveness lease renewed (or written again after Redis lost it),
 * unless its calls were taken over meanwhile (it was thought dead: a stall longer than the
 * lease), when it must stop. KEYS: alive, fenced, beats, instances. ARGV: instance, boot token,
 * ttl (ms), now (ms), registration JSON. Returns 1, or -1 when fenced.
 */
export const INSTANCE_BEAT: LuaScript = {
  name: 'tax12366InstanceBeat',
  numberOfKeys: 4,
  lua: `
if redis.call('GET', KEYS[2]) == ARGV[2] then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
return 1
`,
};

/**
 * A survivor claims a dead instance's calls: only when its liveness lease is gone and no other
 * survivor holds the takeover lock; its boot is fenced in the same step. KEYS: alive, takeover,
 * fenced, instances. ARGV: dead instance, survivor, lock ttl (ms). Returns the dead instance's
 * registration JSON, or false.
 */
export const TAKEOVER_CLAIM: LuaScript = {
  name: 'tax12366TakeoverClaim',
  numberOfKeys: 4,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local reg = redis.call('HGET', KEYS[4], ARGV[1])
if not reg then return false end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return false end
local token = cjson.decode(reg)['token']
if token then redis.call('SET', KEYS[3], token, 'PX', 86400000) end
return reg
`,
};

/**
 * The dead instance's calls become the survivor's in one step. KEYS: the dead one's set of
 * calls, the survivor's. Returns the call ids moved.
 */
export const SESSIONS_REOWN: LuaScript = {
  name: 'tax12366SessionsReown',
  numberOfKeys: 2,
  lua: `
local ids = redis.call('SMEMBERS', KEYS[1])
if #ids > 0 then
  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
  redis.call('DEL', KEYS[1])
end
return ids
`,
};
