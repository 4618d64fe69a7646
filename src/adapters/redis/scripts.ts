import type { Redis } from 'ioredis';

/**
 * Lua scripts for changes that touch several keys: each runs atomically in Redis, so two
 * service instances can never both reserve one agent.
 */

/** A script with the number of its arguments that are keys. */
export interface LuaScript {
  /** Also the command name it gets on a connection. */
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

/**
 * Runs a script by its SHA1 (EVALSHA): its text crosses the socket only the first time a Redis
 * (or a restarted one) is asked for it, instead of with every call as EVAL would send it.
 */
export function runScript(redis: Redis, script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  const commands = redis as unknown as Record<string, ((...a: string[]) => Promise<unknown>) | undefined>;
  if (typeof commands[script.name] !== 'function') redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  return commands[script.name]!(...keys, ...args);
}

/**
 * KEYS: agent hash, idle zset, wrap-ups zset.
 * ARGV: agentId, allowed-from (comma list), to, callId, now(ms), pauseReason, wrapUntil(ms or '').
 */
export const AGENT_MOVE: LuaScript = { name: 'tax12366AgentMove', numberOfKeys: 3, lua: `
local cur = redis.call('HGET', KEYS[1], 'state') or 'logged_out'
local ok = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == cur then ok = true end end
if not ok then return {0, cur} end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'callId', ARGV[4], 'since', ARGV[5], 'pauseReason', ARGV[6], 'wrapUntil', ARGV[7])
if ARGV[3] == 'on_call' then
  redis.call('HINCRBY', KEYS[1], 'callsHandled', 1)
  redis.call('HSET', KEYS[1], 'misses', 0)
end
if ARGV[3] == 'available' and redis.call('HGET', KEYS[1], 'registered') == '1' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[3] == 'wrap_up' and ARGV[7] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
else
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return {1, cur}
` };

/**
 * Records whether the agent's phone can be reached. Device states repeat on every call (ringing,
 * in use, not in use), so an unchanged value writes nothing. Returns 1 if it changed, else 0.
 * KEYS: agent hash, idle zset, agent ids set. ARGV: agentId, registered ('1'|'0'), now(ms).
 */
export const AGENT_REGISTERED: LuaScript = { name: 'tax12366AgentRegistered', numberOfKeys: 3, lua: `
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[1], 'registered') == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'registered', ARGV[2])
local state = redis.call('HGET', KEYS[1], 'state')
if ARGV[2] == '1' and state == 'available' then
  local since = redis.call('HGET', KEYS[1], 'since') or ARGV[3]
  redis.call('ZADD', KEYS[2], since, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1
` };

/**
 * Takes a waiting call and reserves an agent for it, or does nothing.
 * KEYS: queue zset, agent hash, idle zset, waiting hash. ARGV: callId, agentId, now(ms).
 */
export const CLAIM: LuaScript = { name: 'tax12366Claim', numberOfKeys: 4, lua: `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
if redis.call('HGET', KEYS[2], 'state') ~= 'available' then return 0 end
if redis.call('HGET', KEYS[2], 'registered') ~= '1' then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[2], 'state', 'reserved', 'callId', ARGV[1], 'since', ARGV[3], 'lastOfferedAt', ARGV[3])
return 1
` };

/**
 * The call into its queue, keeping its place if it is already there; leaves its 1-based position
 * in `pos`. KEYS: queues set, queue zset, waiting hash. ARGV: queue, callId, score, details.
 */
const QUEUE_CALL = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[2])
local pos = redis.call('ZRANK', KEYS[2], ARGV[2]) + 1
`;
/** Its routing facts (ARGV[4], a JSON object) with the position at entry. */
const STORE_DETAILS = `
redis.call('HSET', KEYS[3], ARGV[2], string.sub(ARGV[4], 1, -2) .. ',"positionAtEntry":' .. pos .. '}')
`;

/**
 * Puts a call in its queue with its routing facts, in one step, so no reader ever sees the one
 * without the other. Returns the 1-based position.
 * KEYS: queues set, queue zset, waiting hash. ARGV: queue, callId, score, details (a JSON object).
 */
export const ENQUEUE: LuaScript = { name: 'tax12366Enqueue', numberOfKeys: 3, lua: `${QUEUE_CALL}${STORE_DETAILS}return pos
` };

/**
 * ENQUEUE, and when nobody else waits anywhere, also the claim of the agent the dispatcher chose
 * for this call, in the same step (what a round would decide with only this call waiting, one
 * round trip sooner). The agent must still be available with a registered phone, as for CLAIM;
 * if not, the call simply stays queued. Returns {position, claimed (1|0)}.
 * KEYS: queues set, queue zset, waiting hash, agent hash, idle zset.
 * ARGV: queue, callId, score, details (a JSON object), agentId, now(ms).
 */
export const ENQUEUE_CLAIM: LuaScript = { name: 'tax12366EnqueueClaim', numberOfKeys: 5, lua: `${QUEUE_CALL}
local others = redis.call('HLEN', KEYS[3])
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then others = others - 1 end
if others == 0 and redis.call('HGET', KEYS[4], 'state') == 'available' and redis.call('HGET', KEYS[4], 'registered') == '1' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('ZREM', KEYS[5], ARGV[5])
  redis.call('HSET', KEYS[4], 'state', 'reserved', 'callId', ARGV[2], 'since', ARGV[6], 'lastOfferedAt', ARGV[6])
  return {pos, 1}
end
${STORE_DETAILS}return {pos, 0}
` };
