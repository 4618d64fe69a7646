-- A waiting caller may press 1 to keep their place and be called back.
ALTER TABLE calls DROP CONSTRAINT calls_outcome_check;
ALTER TABLE calls ADD CONSTRAINT calls_outcome_check
  CHECK (outcome IN ('answered', 'abandoned', 'voicemail', 'transferred', 'ended_in_ivr', 'rejected', 'callback_requested'));
-- On a callback call: the call in which the taxpayer asked for it.
ALTER TABLE calls ADD COLUMN callback_for text;
