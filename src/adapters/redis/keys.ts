/** Every Redis key this service uses is built here, under one prefix (tests use a random one). */
export function redisKeys(prefix: string) {
  return {
    agent: (agentId: string) => `${prefix}:agent:${agentId}`,
    /** Agents that are available with a registered phone; score = idle since (ms). */
    idle: `${prefix}:agents:idle`,
    agentIds: `${prefix}:agents`,
    /** Agents by the sequence number of their latest change, and that number (scripts.ts NOTE_CHANGE). */
    agentChanges: `${prefix}:agents:changes`,
    agentChangeSeq: `${prefix}:agents:seq`,
    /** Agents in wrap-up that ends by itself; score = when it ends (ms). */
    wrapUps: `${prefix}:agents:wrapup`,
    /** Waiting calls of one queue; lower score first (priority, then time entered). */
    queue: (queue: string) => `${prefix}:queue:${queue}`,
    queues: `${prefix}:queues`,
    /** callId -> JSON of a waiting call's routing facts (skills, priority, exclusions, owner). */
    waiting: `${prefix}:waiting`,
    /** A live call's session snapshot, so a restarted instance can pick the call up. */
    session: (callId: string) => `${prefix}:session:${callId}`,
    /** instance -> set of its live call ids. */
    sessions: (owner: string) => `${prefix}:sessions:${owner}`,
    /** The agent who last took a call from this number, kept for the preferred-agent window. */
    lastAgent: (caller: string) => `${prefix}:caller:${caller}:agent`,
    /** agentId -> fingerprint of the phone objects last pushed into Asterisk (adapters/ari/pjsip-push.ts). */
    phonesPushed: `${prefix}:phones:pushed`,
    /** A kept callback place put back after a loss, so that only one instance puts it back. */
    keptPlaceRestored: (callId: string) => `${prefix}:callback:${callId}:restored`,
    /** Set once by the first instance to find it missing: gone means Redis lost the live state. */
    liveEpoch: `${prefix}:live:epoch`,
    /** The routing rules version in force. */
    routingActive: `${prefix}:routing:active`,
    /** The IVR version new calls start on. */
    ivrActive: `${prefix}:ivr:active`,
    /** Pub/sub channel: some configuration's active version changed (features/versioned-config/config-watch.ts). */
    configChanged: `${prefix}:config:changed`,
    events: `${prefix}:events`,
    /** Login attempts per (user name, address) pair and per address; unknown bearer tokens per address (features/auth/login-limiter.ts). */
    loginFailures: (kind: 'pair' | 'ip' | 'token-ip', id: string) => `${prefix}:login:fail:${kind}:${id}`,
    /** Calls placed to one number (the dial policy's digits) on one local day; gone after that day (features/outbound). */
    dialsToday: (day: string, digits: string) => `${prefix}:dial:${day}:${digits}`,
    /** The last outbox seq the event stream has from an instance (exactly-once appends). */
    eventsFrom: (instance: string) => `${prefix}:events:from:${instance}`,
    /** BullMQ's prefix: its queues' keys are under it (features/reports/rollup-sweep.ts's reports-rollups). */
    bull: `${prefix}:bull`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
