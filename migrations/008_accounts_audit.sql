-- People and tools that use the ops API. Accounts are disabled rather than deleted so the
-- audit log keeps naming them.
CREATE TABLE accounts (
  username       text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'readonly')),
  -- An agent's account acts on this agent (phone) only.
  agent_id       text,
  password_hash  text NOT NULL,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'agent') = (agent_id IS NOT NULL))
);

-- Only a hash of a session token is kept: a leaked table opens no session.
CREATE TABLE sessions (
  token_hash   bytea PRIMARY KEY,
  username     text NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text
);
CREATE INDEX sessions_username ON sessions (username);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Keys for tools (wallboards, BI, scripts): a role but no person; shown once when made.
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'supervisor', 'readonly')),
  key_hash      bytea NOT NULL UNIQUE,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz
);

-- Who changed what, when, with the before and after. Append-only.
CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  actor_role   text NOT NULL,
  via          text NOT NULL,
  action       text NOT NULL,
  target_kind  text NOT NULL,
  target_id    text,
  before       jsonb,
  after        jsonb,
  ip           text
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
