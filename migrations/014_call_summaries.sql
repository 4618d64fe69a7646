-- Call summaries (来电小结): one per answered call, written at wrap-up and corrected within the
-- edit window (core/summaries/rules.ts). The category's path and the articles' questions are kept
-- as they were when summarized, so a later edit of the knowledge base does not rewrite history.
-- No foreign key to calls or the knowledge base for the same reason (and calls are projected
-- from events, which may arrive after a summary is read back).
CREATE TABLE call_summaries (
  call_id        text PRIMARY KEY,
  -- Copied from the call (calls.started_at, agent_id, queue) so the hot-topics report reads one table.
  call_at        timestamptz NOT NULL,
  agent_id       text NOT NULL,
  queue          text,
  category_id    integer NOT NULL,
  category_path  text[] NOT NULL,
  question       text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 200),
  resolution     text NOT NULL CHECK (resolution IN ('answered', 'work_order', 'transferred', 'callback_promised')),
  notes          text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 2000),
  -- [{id, question}] as they were, in the order linked.
  articles       jsonb NOT NULL DEFAULT '[]',
  version        integer NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  updated_by     text NOT NULL
);
-- The hot-topics report: a range of calls, grouped by day, queue or agent, counted by path.
CREATE INDEX call_summaries_call_at_idx ON call_summaries (call_at) INCLUDE (queue, agent_id, category_id, category_path);

-- Every saved version, the current one included: who wrote what, when.
CREATE TABLE call_summary_versions (
  call_id        text NOT NULL,
  version        integer NOT NULL,
  category_id    integer NOT NULL,
  category_path  text[] NOT NULL,
  question       text NOT NULL,
  resolution     text NOT NULL,
  notes          text NOT NULL,
  articles       jsonb NOT NULL,
  edited_at      timestamptz NOT NULL DEFAULT now(),
  edited_by      text NOT NULL,
  PRIMARY KEY (call_id, version)
);

-- One row per article linked to a summary (the current version), for "most used articles".
CREATE TABLE call_summary_articles (
  call_id     text NOT NULL,
  article_id  integer NOT NULL,
  question    text NOT NULL,
  call_at     timestamptz NOT NULL,
  agent_id    text NOT NULL,
  queue       text,
  PRIMARY KEY (call_id, article_id)
);
CREATE INDEX call_summary_articles_call_at_idx ON call_summary_articles (call_at) INCLUDE (queue, agent_id, article_id);
