-- Agents carry what routing needs (skills with a proficiency 1..5, the queues they serve) and
-- are deactivated rather than deleted, so their history keeps its name.
ALTER TABLE agents
  ADD COLUMN skills jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(skills) = 'object'),
  ADD COLUMN queues text[] NOT NULL DEFAULT '{}',
  ADD COLUMN active boolean NOT NULL DEFAULT true;

-- Why an agent is paused. Built-in reasons have phone feature codes (*13X) or are used by the
-- system (no_answer: the agent missed offers); ops may add more.
CREATE TABLE pause_reasons (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
  zh          text NOT NULL,
  en          text NOT NULL,
  builtin     boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO pause_reasons (code, zh, en, builtin) VALUES
  ('training', '培训', 'Training', true),
  ('meeting', '会议', 'Meeting', true),
  ('paperwork', '文书', 'Paperwork', true),
  ('break', '休息', 'Break', true),
  ('no_answer', '未接', 'Missed calls', true);
