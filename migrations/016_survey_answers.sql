-- Satisfaction survey results (issue 22): one row per survey offered to a caller after the agent
-- hung up, projected from call.survey_answered / call.survey_unanswered in the same transaction as
-- the event itself (src/features/events/event-store.ts → features/survey/survey-projection.ts), so
-- it is exactly as complete as history. Reports read this narrow table through its indexes instead
-- of scanning the events table's jsonb bodies by type.
CREATE TABLE IF NOT EXISTS survey_answers (
  call_id   text PRIMARY KEY,
  at        timestamptz NOT NULL,
  agent_id  text NOT NULL,
  queue     text NOT NULL,
  -- 1 满意, 2 基本满意, 3 不满意; NULL: offered, no score (reason says why).
  score     smallint CHECK (score BETWEEN 1 AND 3),
  reason    text CHECK (reason IN ('no_answer', 'invalid_key', 'caller_hung_up')),
  asked     smallint NOT NULL,
  CHECK ((score IS NULL) <> (reason IS NULL))
);
CREATE INDEX IF NOT EXISTS survey_answers_at_idx ON survey_answers (at);
CREATE INDEX IF NOT EXISTS survey_answers_agent_idx ON survey_answers (agent_id, at);
