-- Call recordings (issue 23, docs/recording.md). Asterisk writes the audio under its recording
-- directory; this table is what the center knows of each file: which call, who, how long, its
-- checksum, until when it is kept, and whether retention deleted it. Rows are never deleted: a
-- deleted file keeps its row with deleted_at, so "what happened to the recording of call X" has an answer.
CREATE TABLE IF NOT EXISTS recordings (
  id              text PRIMARY KEY,
  call_id         text NOT NULL,
  -- 'mix': both parties in one file (every recorded call); 'caller' / 'agent': one leg each, when
  -- the queue records legs separately as well.
  kind            text NOT NULL CHECK (kind IN ('mix', 'caller', 'agent')),
  -- Asterisk's recording name: a path under the recordings directory, without the extension.
  name            text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9/_.-]{1,200}$' AND name !~ '\.\.'),
  format          text NOT NULL DEFAULT 'wav',
  queue           text NOT NULL,
  agent_id        text,
  caller          text NOT NULL,
  started_at      timestamptz NOT NULL,
  -- NULL while the call is being recorded.
  ended_at        timestamptz,
  duration_ms     integer,
  size_bytes      bigint,
  sha256          text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- What ended it: 'call_ended', 'recovered' (finished after a restart of the service), 'missing' (no file).
  end_reason      text,
  retention_days  integer NOT NULL CHECK (retention_days > 0),
  expires_at      timestamptz NOT NULL,
  deleted_at      timestamptz,
  deleted_by      text
);
CREATE INDEX IF NOT EXISTS recordings_started_idx ON recordings (started_at);
CREATE INDEX IF NOT EXISTS recordings_call_idx ON recordings (call_id);
CREATE INDEX IF NOT EXISTS recordings_agent_idx ON recordings (agent_id, started_at);
CREATE INDEX IF NOT EXISTS recordings_expiry_idx ON recordings (expires_at) WHERE deleted_at IS NULL;

-- A hold keeps a recording past its retention while a complaint or work order needs it.
CREATE TABLE IF NOT EXISTS recording_holds (
  id            text PRIMARY KEY,
  recording_id  text NOT NULL REFERENCES recordings (id),
  reason        text NOT NULL CHECK (reason IN ('complaint', 'workorder')),
  -- The complaint's or work order's reference (a work order id, a complaint number).
  ref           text NOT NULL CHECK (length(ref) BETWEEN 1 AND 64),
  note          text CHECK (length(note) <= 500),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  released_at   timestamptz,
  released_by   text
);
CREATE INDEX IF NOT EXISTS recording_holds_active_idx ON recording_holds (recording_id) WHERE released_at IS NULL;

-- Each run of the daily retention job: what it deleted, what it kept because of a hold.
CREATE TABLE IF NOT EXISTS recording_retention_runs (
  id            text PRIMARY KEY,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  deleted       integer NOT NULL DEFAULT 0,
  kept_on_hold  integer NOT NULL DEFAULT 0,
  failed        integer NOT NULL DEFAULT 0,
  -- [{ recordingId, name, action: 'deleted' | 'kept_on_hold' | 'failed', error? }]
  details       jsonb NOT NULL DEFAULT '[]'
);
