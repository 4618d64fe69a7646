-- Calls now leave through the IVR too (voicemail, transfer, a hang-up node), and carry the
-- route the IVR chose, for the abandon list and per-line reports.
ALTER TABLE calls DROP CONSTRAINT calls_outcome_check;
ALTER TABLE calls ADD CONSTRAINT calls_outcome_check
  CHECK (outcome IN ('answered', 'abandoned', 'voicemail', 'transferred', 'ended_in_ivr'));
ALTER TABLE calls
  ADD COLUMN ivr_version      integer,
  ADD COLUMN queue            text,
  ADD COLUMN line             text,
  ADD COLUMN sub_line         text,
  ADD COLUMN entered_queue_at timestamptz,
  ADD COLUMN ivr_node         text,
  ADD COLUMN wait_ms          integer;
CREATE INDEX calls_outcome_idx ON calls (outcome, started_at);
