-- Queues and routing rules, versioned like the IVR: immutable versions, activations appended.
CREATE TABLE routing_versions (
  version     serial PRIMARY KEY,
  config      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  comment     text
);
CREATE TABLE routing_activations (
  seq           bigserial PRIMARY KEY,
  version       integer NOT NULL REFERENCES routing_versions (version),
  activated_at  timestamptz NOT NULL DEFAULT now(),
  activated_by  text NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('first_start', 'activate', 'rollback'))
);

-- Calls ended by a queue rule (queue full, no agents, maximum wait) are 'rejected', not abandoned.
ALTER TABLE calls DROP CONSTRAINT calls_outcome_check;
ALTER TABLE calls ADD CONSTRAINT calls_outcome_check
  CHECK (outcome IN ('answered', 'abandoned', 'voicemail', 'transferred', 'ended_in_ivr', 'rejected'));
ALTER TABLE calls
  ADD COLUMN short_abandon        boolean,
  ADD COLUMN position_at_entry    integer,
  ADD COLUMN position_at_abandon  integer,
  ADD COLUMN ivr_path             text[],
  ADD COLUMN end_reason           text;
-- "Who called last, and who answered": the preferred-agent lookup.
CREATE INDEX calls_caller_idx ON calls (caller, started_at DESC);
