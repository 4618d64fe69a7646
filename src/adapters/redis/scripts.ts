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
 * Records that an agent changed, for readers that keep a copy of every agent (AgentMirror):
 * they ask for what changed after the sequence number they last saw instead of reading every
 * agent. The agent is held once, at its latest change. A sequence that starts anew (its key lost
 * with Redis's data) starts at the time in microseconds, above any number handed out before, so
 * a reader never mistakes the new changes for ones it has seen.
 */
const NOTE_CHANGE = `
local function noteChange(seqKey, changesKey, agentId)
  local seq = redis.call('INCR', seqKey)
  if seq == 1 then
    local t = redis.call('TIME')
    seq = tonumber(t[1]) * 1000000 + tonumber(t[2])
    redis.call('SET', seqKey, string.format('%d', seq))
  end
  redis.call('ZADD', changesKey, string.format('%d', seq), agentId)
end
`;

/**
 * KEYS: agent hash, idle zset, wrap-ups zset, change seq, changes zset.
 * ARGV: agentId, allowed-from (comma list), to, callId, now(ms), pauseReason, wrapUntil(ms or '').
 */
export const AGENT_MOVE: LuaScript = {
  name: 'tax12366AgentMove',
  numberOfKeys: 5,
  lua: `${NOTE_CHANGE}
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
noteChange(KEYS[4], KEYS[5], ARGV[1])
return {1, cur}
`,
};

/**
 * Puts back an agent's state after Redis lost it, unless the agent has one again already (logged
 * in since). Registration is written after it (AGENT_REGISTERED), which lists an available agent
 * as idle. Returns 1 if restored, else 0.
 * KEYS: agent hash, idle zset, wrap-ups zset, agent ids set, change seq, changes zset.
 * ARGV: agentId, state, since(ms), callId, pauseReason, wrapUntil(ms or '').
 */
export const AGENT_RESTORE: LuaScript = {
  name: 'tax12366AgentRestore',
  numberOfKeys: 6,
  lua: `${NOTE_CHANGE}
if redis.call('HEXISTS', KEYS[1], 'state') == 1 then return 0 end
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'since', ARGV[3], 'callId', ARGV[4], 'pauseReason', ARGV[5], 'wrapUntil', ARGV[6])
if ARGV[2] == 'available' and redis.call('HGET', KEYS[1], 'registered') == '1' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
end
if ARGV[2] == 'wrap_up' and ARGV[6] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
end
noteChange(KEYS[5], KEYS[6], ARGV[1])
return 1
`,
};

/**
 * Records whether the agent's phone can be reached from one Asterisk node (`reg:<node>` fields;
 * `registered` is whether any node reaches it, `node` one that does, the latest to report it).
 * Device states repeat on every call (ringing, in use, not in use), so an unchanged value writes
 * nothing. Returns 1 if `registered` changed, else 0.
 * KEYS: agent hash, idle zset, agent ids set, change seq, changes zset.
 * ARGV: agentId, registered ('1'|'0', or 'x': on no node at all), now(ms), node.
 */
export const AGENT_REGISTERED: LuaScript = {
  name: 'tax12366AgentRegistered',
  numberOfKeys: 5,
  lua: `${NOTE_CHANGE}
redis.call('SADD', KEYS[3], ARGV[1])
local field = 'reg:' .. ARGV[4]
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], field, '1', 'node', ARGV[4])
elseif ARGV[2] == '0' then
  redis.call('HDEL', KEYS[1], field)
end
local on, other = '0', false
local h = redis.call('HGETALL', KEYS[1])
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 4) == 'reg:' then
    if ARGV[2] == 'x' then redis.call('HDEL', KEYS[1], h[i]) else on = '1'; other = string.sub(h[i], 5) end
  end
end
if on == '0' then
  redis.call('HDEL', KEYS[1], 'node')
elseif ARGV[2] ~= '1' and redis.call('HGET', KEYS[1], 'node') == ARGV[4] then
  redis.call('HSET', KEYS[1], 'node', other)
end
if redis.call('HGET', KEYS[1], 'registered') == on then return 0 end
redis.call('HSET', KEYS[1], 'registered', on)
local state = redis.call('HGET', KEYS[1], 'state')
if on == '1' and state == 'available' then
  local since = redis.call('HGET', KEYS[1], 'since') or ARGV[3]
  redis.call('ZADD', KEYS[2], since, ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
noteChange(KEYS[4], KEYS[5], ARGV[1])
return 1
`,
};

/**
 * What routing needs to know about an agent besides its state (name, skills, queues).
 * KEYS: agent hash, agent ids set, change seq, changes zset. ARGV: agentId, profile (JSON).
 */
export const AGENT_PROFILE: LuaScript = {
  name: 'tax12366AgentProfile',
  numberOfKeys: 4,
  lua: `${NOTE_CHANGE}
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'profile', ARGV[2])
noteChange(KEYS[3], KEYS[4], ARGV[1])
return 1
`,
};

/**
 * Takes a waiting call and reserves an agent for it, or does nothing.
 * KEYS: queue zset, agent hash, idle zset, waiting hash, change seq, changes zset.
 * ARGV: callId, agentId, now(ms).
 */
export const CLAIM: LuaScript = {
  name: 'tax12366Claim',
  numberOfKeys: 6,
  lua: `${NOTE_CHANGE}
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
if redis.call('HGET', KEYS[2], 'state') ~= 'available' then return 0 end
if redis.call('HGET', KEYS[2], 'registered') ~= '1' then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[2], 'state', 'reserved', 'callId', ARGV[1], 'since', ARGV[3], 'lastOfferedAt', ARGV[3])
noteChange(KEYS[5], KEYS[6], ARGV[2])
return 1
`,
};

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
export const ENQUEUE: LuaScript = {
  name: 'tax12366Enqueue',
  numberOfKeys: 3,
  lua: `${QUEUE_CALL}${STORE_DETAILS}return pos
`,
};

/**
 * ENQUEUE, and when nobody else waits anywhere, also the claim of the agent the dispatcher chose
 * for this call, in the same step (what a round would decide with only this call waiting, one
 * round trip sooner). The agent must still be available with a registered phone, as for CLAIM;
 * if not, the call simply stays queued. Returns {position, claimed (1|0)}.
 * KEYS: queues set, queue zset, waiting hash, agent hash, idle zset, change seq, changes zset.
 * ARGV: queue, callId, score, details (a JSON object), agentId, now(ms).
 */
export const ENQUEUE_CLAIM: LuaScript = {
  name: 'tax12366EnqueueClaim',
  numberOfKeys: 7,
  lua: `${NOTE_CHANGE}${QUEUE_CALL}
local others = redis.call('HLEN', KEYS[3])
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then others = others - 1 end
if others == 0 and redis.call('HGET', KEYS[4], 'state') == 'available' and redis.call('HGET', KEYS[4], 'registered') == '1' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
  redis.call('ZREM', KEYS[5], ARGV[5])
  redis.call('HSET', KEYS[4], 'state', 'reserved', 'callId', ARGV[2], 'since', ARGV[6], 'lastOfferedAt', ARGV[6])
  noteChange(KEYS[6], KEYS[7], ARGV[5])
  return {pos, 1}
end
${STORE_DETAILS}return {pos, 0}
`,
};

/**
 * Ends an agent's entry in the set of wrap-ups that end by themselves, unless the agent is in
 * wrap-up: read and removal in one step, so a wrap-up begun since the caller looked (its entry
 * written anew by AGENT_MOVE) is never dropped, which would leave the agent in wrap-up for good.
 * Returns 1 if removed, else 0.
 * KEYS: agent hash, wrap-ups zset. ARGV: agentId.
 */
export const FORGET_WRAP_UP: LuaScript = {
  name: 'tax12366ForgetWrapUp',
  numberOfKeys: 2,
  lua: `
if redis.call('HGET', KEYS[1], 'state') == 'wrap_up' then return 0 end
return redis.call('ZREM', KEYS[2], ARGV[1])
`,
};

/**
 * Replaces a waiting call's routing facts only if they are still the ones the caller read (a
 * compare-and-set): a call claimed, taken or dequeued meanwhile is not put back as a stray entry,
 * and another change made meanwhile is not overwritten. The caller reads again and retries on 0.
 * Returns 1 if written, 0 if the facts changed or are gone.
 * KEYS: waiting hash. ARGV: callId, facts as read (JSON), new facts (JSON).
 */
export const WAITING_REPLACE: LuaScript = {
  name: 'tax12366WaitingReplace',
  numberOfKeys: 1,
  lua: `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`,
};

/**
 * Takes a call whose snapshot is gone (dropped, or expired after a crash) off an instance's set
 * of calls, checking the snapshot at the removal: a call saved again since the caller looked
 * keeps its listing. Returns 1 if taken off, else 0.
 * KEYS: sessions set, the call's snapshot. ARGV: callId.
 */
export const SESSION_UNLIST_GONE: LuaScript = {
  name: 'tax12366SessionUnlistGone',
  numberOfKeys: 2,
  lua: `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return redis.call('SREM', KEYS[1], ARGV[1])
`,
};
