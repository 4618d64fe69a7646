-- Settings of the wallboard shared by the whole center (not per browser): one JSON value per
-- name, e.g. "thresholds" (when a queue's tile turns amber or red, core/wallboard/thresholds.ts).
-- Who changed it and when is in the audit log; the row keeps the last writer for a glance.
CREATE TABLE wallboard_settings (
  name text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL
);
