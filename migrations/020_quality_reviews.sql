-- Quality review (质检, issue 23, docs/quality.md). The form is versioned: each change is a new row,
-- and a review keeps the version it was scored on, so an old review still reads with the items,
-- weights and highest scores it had.
CREATE TABLE IF NOT EXISTS quality_forms (
  version     integer PRIMARY KEY CHECK (version > 0),
  -- [{ key, label, labelEn?, weight, maxScore }], checked by core/quality/form.ts before it is stored.
  items       jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array' AND jsonb_array_length(items) BETWEEN 1 AND 20),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL
);

-- The form a fresh installation starts with (the same as core/quality/form.ts DEFAULT_FORM).
INSERT INTO quality_forms (version, items, created_by) VALUES (1, '[
  {"key": "courtesy", "label": "礼貌用语", "labelEn": "Courtesy", "weight": 20, "maxScore": 5},
  {"key": "policy_accuracy", "label": "政策准确", "labelEn": "Policy accuracy", "weight": 30, "maxScore": 5},
  {"key": "record_complete", "label": "记录完整", "labelEn": "Complete record", "weight": 15, "maxScore": 5},
  {"key": "proficiency", "label": "业务熟练", "labelEn": "Proficiency", "weight": 20, "maxScore": 5},
  {"key": "attitude", "label": "服务态度", "labelEn": "Service attitude", "weight": 15, "maxScore": 5}
]', 'system') ON CONFLICT (version) DO NOTHING;

-- One review of one recording by one reviewer; a recording may be reviewed more than once. Rows
-- are never changed or deleted (a correction is a new review).
CREATE TABLE IF NOT EXISTS quality_reviews (
  id            text PRIMARY KEY,
  recording_id  text NOT NULL REFERENCES recordings (id),
  call_id       text NOT NULL,
  -- The agent who answered the call (recordings.agent_id when it was reviewed).
  agent_id      text NOT NULL,
  -- The principal who scored it (an account's user name or an API key id).
  reviewer      text NOT NULL,
  form_version  integer NOT NULL REFERENCES quality_forms (version),
  -- { itemKey: score }, one whole number per item of the form version.
  scores        jsonb NOT NULL CHECK (jsonb_typeof(scores) = 'object'),
  total         numeric(4, 1) NOT NULL CHECK (total BETWEEN 0 AND 100),
  -- [{ atMs, text }]: remarks pinned to moments of the recording.
  comments      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(comments) = 'array' AND jsonb_array_length(comments) <= 50),
  summary       text CHECK (char_length(summary) <= 2000),
  created_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS quality_reviews_created_idx ON quality_reviews (created_at, id);
CREATE INDEX IF NOT EXISTS quality_reviews_agent_idx ON quality_reviews (agent_id, created_at, id);
CREATE INDEX IF NOT EXISTS quality_reviews_recording_idx ON quality_reviews (recording_id);
CREATE INDEX IF NOT EXISTS quality_reviews_call_idx ON quality_reviews (call_id);
