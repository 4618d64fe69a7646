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
    /** A callback leg ringing: its job (JSON), so the instance taking over a dead one's calls can take the answered leg. */
    callbackRing: (channelId: string) => `${prefix}:callback:ring:${channelId}`,
    /** A callback job's ring in progress (its channel), or 'answered': a second run of the job rings nobody twice. */
    callbackRinging: (jobId: string) => `${prefix}:callback:ringing:${jobId}`,
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
    /** Pub/sub channel of commands between instances (adapters/redis/instance-commands.ts); replies on `<it>:reply:<instance>`. */
    instanceCommands: `${prefix}:instance:commands`,
    /** A live supervision (features/supervision): JSON, with a TTL renewed while it lasts. */
    supervision: (id: string) => `${prefix}:supervision:${id}`,
    /** The ids of live supervisions, for the wallboard on any instance. */
    supervisions: `${prefix}:supervisions`,
    /**
     * instance -> the start time of its Asterisk when it last connected (features/agents/asterisk-sync.ts):
     * an instance restarted together with Asterisk still tells the calls Asterisk's restart cut.
     */
    asteriskStarted: `${prefix}:asterisk:started`,
    /** instance -> JSON of its registration (Stasis app, Asterisk node, boot token, started at): features/cluster. */
    instances: `${prefix}:cluster:instances`,
    /** instance -> its last heartbeat (ms), for the cluster view. */
    instanceBeats: `${prefix}:cluster:beats`,
    /** An instance's liveness lease: its boot token, gone when it stops renewing it. */
    instanceAlive: (instance: string) => `${prefix}:cluster:alive:${instance}`,
    /** The boot token of a dead instance whose calls were taken over: that boot must not run again. */
    instanceFenced: (instance: string) => `${prefix}:cluster:fenced:${instance}`,
    /** One survivor's lock on taking a dead instance's calls over. */
    takeover: (instance: string) => `${prefix}:cluster:takeover:${instance}`,
    /** A singleton job's lease (the stuck-agent check, the SIP guard): its holder's name. */
    lease: (name: string) => `${prefix}:cluster:lease:${name}`,
    /** BullMQ's prefix: its queues' keys are under it (features/reports/rollup-sweep.ts's reports-rollups). */
    bull: `${prefix}:bull`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
