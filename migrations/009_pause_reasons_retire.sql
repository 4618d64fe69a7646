-- A pause reason ops no longer use is retired, not deleted: past pauses keep their name.
ALTER TABLE pause_reasons ADD COLUMN retired_at timestamptz;
