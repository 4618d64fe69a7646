-- Reports (issue 5): per-day rollups and the indexes the reports read through.
-- Idempotent: some development databases applied it under the name 006_reports.sql.
--
-- Rollups are computed by src/services/reports with the metric definitions of src/core/metrics
-- (never re-derived in SQL), one local day at a time, and stored only for closed days (ended an
-- hour ago or more). A day's rollup remembers the snapshot it was computed in; any later write
-- that touches the day (a late event after an outage, a backfill, a deleted row) leaves a mark in
-- rpt_stale, and a rollup is used only while every mark overlapping its day is visible in its
-- snapshot. So a stored rollup always equals what the raw rows would give now.
--
-- On a large existing database, create the indexes below CONCURRENTLY by hand first (the
-- migration runs in a transaction and would block event writes while building them); IF NOT
-- EXISTS then makes these statements no-ops.

-- An agent's state changes in time order (carry-in state at a day's start, the day's spans).
CREATE INDEX IF NOT EXISTS events_agent_state_idx ON events (agent_id, at) WHERE type = 'agent.state_changed';
-- A day's offers to agents.
CREATE INDEX IF NOT EXISTS events_agent_offered_idx ON events (at) WHERE type = 'call.agent_offered';
-- The abandon list, by the moment the caller asked for a person.
CREATE INDEX IF NOT EXISTS calls_abandoned_asked_idx ON calls ((COALESCE(entered_queue_at, started_at))) WHERE outcome = 'abandoned';
-- "Called back": a later answered call from the same number.
CREATE INDEX IF NOT EXISTS calls_answered_caller_idx ON calls (caller, started_at) WHERE outcome = 'answered';

-- Which (zone, kind, local day) rollups exist, and the snapshot each was computed in.
CREATE TABLE IF NOT EXISTS rpt_days (
  tz               text NOT NULL,
  kind             text NOT NULL,
  day              date NOT NULL,
  from_at          timestamptz NOT NULL,
  to_at            timestamptz NOT NULL,
  snap             pg_snapshot NOT NULL,
  metrics_version  integer NOT NULL,
  built_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tz, kind, day)
);

-- Writes that reached already-closed history. Live writes (newer than 30 minutes) leave none.
CREATE TABLE IF NOT EXISTS rpt_stale (
  id          bigserial PRIMARY KEY,
  from_at     timestamptz NOT NULL,
  to_at       timestamptz NOT NULL,
  xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS rpt_stale_from_idx ON rpt_stale (from_at);

-- Call figures per 5-minute bucket and queue ('' = never queued), for one pair of thresholds
-- (kind = 'calls:t<SL seconds>:s<short-abandon seconds>'). Counts and ratio parts add up.
CREATE TABLE IF NOT EXISTS rpt_calls_5m (
  tz               text NOT NULL,
  kind             text NOT NULL,
  bucket           timestamptz NOT NULL,
  queue            text NOT NULL,
  ivr_visits       integer NOT NULL,
  offered          integer NOT NULL,
  answered         integer NOT NULL,
  abandoned        integer NOT NULL,
  short_abandoned  integer NOT NULL,
  sl_within        integer NOT NULL,
  sl_den           integer NOT NULL,
  asa_ms           bigint NOT NULL,
  asa_n            integer NOT NULL,
  ar_num           integer NOT NULL,
  ar_den           integer NOT NULL,
  longest_wait_ms  integer,
  handle_ms        bigint NOT NULL,
  handle_n         integer NOT NULL,
  PRIMARY KEY (tz, kind, bucket, queue)
);

-- Average agents per state (and paused, per reason) in each 5-minute bucket, whole center.
CREATE TABLE IF NOT EXISTS rpt_staff_5m (
  tz         text NOT NULL,
  bucket     timestamptz NOT NULL,
  by_state   jsonb NOT NULL,
  by_reason  jsonb NOT NULL,
  PRIMARY KEY (tz, bucket)
);

-- Per agent and local day: queue '*' = everything (offers, handle, state time); queue = q:
-- offers and handle time of that queue's calls only (state time is not per queue).
CREATE TABLE IF NOT EXISTS rpt_agent_day (
  tz            text NOT NULL,
  day           date NOT NULL,
  agent_id      text NOT NULL,
  queue         text NOT NULL,
  offered       integer NOT NULL,
  answered      integer NOT NULL,
  no_answer     integer NOT NULL,
  cancelled     integer NOT NULL,
  handle_ms     bigint NOT NULL,
  handle_n      integer NOT NULL,
  ms_by_state   jsonb NOT NULL,
  ms_by_reason  jsonb NOT NULL,
  PRIMARY KEY (tz, day, agent_id, queue)
);

-- Callers per region, per local day and queue, for one home area (kind = 'regions:<code>').
CREATE TABLE IF NOT EXISTS rpt_region_day (
  tz              text NOT NULL,
  kind            text NOT NULL,
  day             date NOT NULL,
  queue           text NOT NULL,
  home_city       integer NOT NULL,
  home_province   integer NOT NULL,
  other_province  integer NOT NULL,
  international   integer NOT NULL,
  mobile          integer NOT NULL,
  unknown         integer NOT NULL,
  PRIMARY KEY (tz, kind, day, queue)
);

-- Marks for calls: a call's moments lie between its start and its end.
CREATE OR REPLACE FUNCTION rpt_mark_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO rpt_stale (from_at, to_at)
    SELECT min(started_at), max(GREATEST(started_at, COALESCE(ended_at, started_at)))
      FROM rpt_new WHERE started_at < clock_timestamp() - interval '30 minutes'
    HAVING count(*) > 0;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO rpt_stale (from_at, to_at)
    SELECT min(started_at), max(GREATEST(started_at, COALESCE(ended_at, started_at)))
      FROM rpt_old WHERE started_at < clock_timestamp() - interval '30 minutes'
    HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;

-- Marks for events the reports read. An offer's result counts at the offer (up to an hour
-- before); a state change lasts until the agent's next one, and a wrap-up belongs to a call
-- answered up to hours before.
CREATE OR REPLACE FUNCTION rpt_mark_event_rows(types text[], ats timestamptz[], agents text[]) RETURNS void LANGUAGE sql AS $$
  WITH ch AS (SELECT * FROM unnest(types, ats, agents) AS c(type, at, agent_id)),
  offers AS (
    INSERT INTO rpt_stale (from_at, to_at)
    SELECT min(at) - interval '1 hour', max(at) FROM ch WHERE type <> 'agent.state_changed' HAVING count(*) > 0
  )
  INSERT INTO rpt_stale (from_at, to_at)
  SELECT g.lo - interval '6 hours',
         COALESCE((SELECT min(e.at) FROM events e
                    WHERE e.type = 'agent.state_changed' AND e.agent_id = g.agent_id AND e.at > g.hi), 'infinity')
    FROM (SELECT agent_id, min(at) AS lo, max(at) AS hi FROM ch WHERE type = 'agent.state_changed' GROUP BY agent_id) g;
$$;

CREATE OR REPLACE FUNCTION rpt_mark_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM rpt_mark_event_rows(array_agg(type), array_agg(at), array_agg(agent_id)) FROM rpt_new
      WHERE type IN ('agent.state_changed', 'call.agent_offered', 'call.agent_answered', 'call.agent_missed')
        AND at < clock_timestamp() - interval '30 minutes'
     HAVING count(*) > 0;
  ELSE
    PERFORM rpt_mark_event_rows(array_agg(type), array_agg(at), array_agg(agent_id)) FROM rpt_old
      WHERE type IN ('agent.state_changed', 'call.agent_offered', 'call.agent_answered', 'call.agent_missed')
        AND at < clock_timestamp() - interval '30 minutes'
     HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS rpt_calls_ins ON calls;
CREATE TRIGGER rpt_calls_ins AFTER INSERT ON calls REFERENCING NEW TABLE AS rpt_new
  FOR EACH STATEMENT EXECUTE FUNCTION rpt_mark_calls();
DROP TRIGGER IF EXISTS rpt_calls_upd ON calls;
CREATE TRIGGER rpt_calls_upd AFTER UPDATE ON calls REFERENCING OLD TABLE AS rpt_old NEW TABLE AS rpt_new
  FOR EACH STATEMENT EXECUTE FUNCTION rpt_mark_calls();
DROP TRIGGER IF EXISTS rpt_calls_del ON calls;
CREATE TRIGGER rpt_calls_del AFTER DELETE ON calls REFERENCING OLD TABLE AS rpt_old
  FOR EACH STATEMENT EXECUTE FUNCTION rpt_mark_calls();
DROP TRIGGER IF EXISTS rpt_events_ins ON events;
CREATE TRIGGER rpt_events_ins AFTER INSERT ON events REFERENCING NEW TABLE AS rpt_new
  FOR EACH STATEMENT EXECUTE FUNCTION rpt_mark_events();
DROP TRIGGER IF EXISTS rpt_events_del ON events;
CREATE TRIGGER rpt_events_del AFTER DELETE ON events REFERENCING OLD TABLE AS rpt_old
  FOR EACH STATEMENT EXECUTE FUNCTION rpt_mark_events();
