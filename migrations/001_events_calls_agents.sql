-- Append-only log of every call and agent event. `id` makes writes idempotent; `seq` keeps arrival order.
CREATE TABLE events (
  seq       bigserial PRIMARY KEY,
  id        uuid NOT NULL UNIQUE,
  type      text NOT NULL,
  at        timestamptz NOT NULL,
  call_id   text,
  agent_id  text,
  body      jsonb NOT NULL
);
CREATE INDEX events_call_idx ON events (call_id, seq) WHERE call_id IS NOT NULL;
CREATE INDEX events_agent_idx ON events (agent_id, seq) WHERE agent_id IS NOT NULL;
CREATE INDEX events_at_idx ON events USING brin (at);

-- One row per finished call, projected from call.started / call.ended for reports.
CREATE TABLE calls (
  call_id       text PRIMARY KEY,
  caller        text NOT NULL,
  dialed        text NOT NULL,
  started_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  outcome       text CHECK (outcome IN ('answered', 'abandoned')),
  abandoned_at  text CHECK (abandoned_at IN ('ivr', 'queue', 'ringing')),
  hung_up_by    text CHECK (hung_up_by IN ('caller', 'agent', 'system')),
  agent_id      text,
  duration_ms   integer,
  talk_ms       integer
);
CREATE INDEX calls_started_idx ON calls (started_at);

-- Agents and their SIP phones. Only the SIP digest (md5 of user:realm:password) is kept.
CREATE TABLE agents (
  agent_id    text PRIMARY KEY CHECK (agent_id ~ '^[0-9]{3,6}$'),
  name        text NOT NULL,
  sip_md5     text NOT NULL CHECK (sip_md5 ~ '^[0-9a-f]{32}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
