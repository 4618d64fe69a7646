-- IVR definitions, one row per uploaded version; never updated, so calls can finish on theirs.
CREATE TABLE ivr_versions (
  version     serial PRIMARY KEY,
  name        text NOT NULL,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  comment     text
);

-- Every activation, in order; the active version is the latest row. Rollback appends too.
CREATE TABLE ivr_activations (
  seq           bigserial PRIMARY KEY,
  version       integer NOT NULL REFERENCES ivr_versions (version),
  activated_at  timestamptz NOT NULL DEFAULT now(),
  activated_by  text NOT NULL,
  reason        text NOT NULL CHECK (reason IN ('first_start', 'activate', 'rollback'))
);
