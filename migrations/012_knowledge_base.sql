-- The knowledge base (财税知识库, issue 22): a category tree of any depth, articles with their
-- versions, who opened which article (and on which call), favourites. docs/knowledge-base.md.
-- pg_trgm is a trusted extension (Postgres 13+): the database's owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE kb_categories (
  id bigserial PRIMARY KEY,
  parent_id bigint REFERENCES kb_categories (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Siblings have distinct names: an import finds a category by its path of names.
CREATE UNIQUE INDEX kb_categories_sibling_name ON kb_categories (coalesce(parent_id, 0), name);

-- fillfactor 90: opening an article bumps `hits`, an unindexed column, so the update stays a HOT
-- update on the same page instead of touching the GIN indexes.
CREATE TABLE kb_articles (
  id bigserial PRIMARY KEY,
  category_id bigint NOT NULL REFERENCES kb_categories (id),
  question text NOT NULL,
  answer text NOT NULL,
  basis text NOT NULL DEFAULT '',
  keywords text[] NOT NULL DEFAULT '{}',
  region text,
  department text,
  status text NOT NULL CHECK (status IN ('draft', 'reviewed', 'published', 'retired')),
  version integer NOT NULL DEFAULT 1,
  author text NOT NULL,
  edited_by text NOT NULL,
  reviewer text,
  published_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  related bigint[] NOT NULL DEFAULT '{}',
  attachments jsonb NOT NULL DEFAULT '[]',
  hits bigint NOT NULL DEFAULT 0,
  -- Built by core/kb/query.ts from jieba's segmentation: question (A) > keywords (B) > answer and basis (C).
  search_doc tsvector NOT NULL,
  -- The question's and keywords' words separated by spaces, for pg_trgm (partial words, typos).
  trgm_text text NOT NULL
) WITH (fillfactor = 90);
CREATE INDEX kb_articles_search ON kb_articles USING gin (search_doc);
CREATE INDEX kb_articles_trgm ON kb_articles USING gin (trgm_text gin_trgm_ops);
CREATE INDEX kb_articles_category ON kb_articles (category_id, status);
CREATE INDEX kb_articles_status ON kb_articles (status, updated_at DESC);

-- Every version of an article's text, the first included.
CREATE TABLE kb_article_versions (
  article_id bigint NOT NULL REFERENCES kb_articles (id),
  version integer NOT NULL,
  question text NOT NULL,
  answer text NOT NULL,
  basis text NOT NULL,
  keywords text[] NOT NULL,
  status text NOT NULL,
  edited_by text NOT NULL,
  edited_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, version)
);

-- One row per counted open (an agent's, or anyone's with a call): the call summary's link and
-- per-day hot articles. kb_articles.hits is the running total, so no search ever counts rows here.
CREATE TABLE kb_article_opens (
  id bigserial PRIMARY KEY,
  article_id bigint NOT NULL REFERENCES kb_articles (id),
  call_id text,
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kb_article_opens_call ON kb_article_opens (call_id) WHERE call_id IS NOT NULL;
CREATE INDEX kb_article_opens_at ON kb_article_opens (opened_at);

-- Private favourites belong to one account (owner); public ones (owner '') are the center's.
CREATE TABLE kb_favourites (
  article_id bigint NOT NULL REFERENCES kb_articles (id),
  scope text NOT NULL CHECK (scope IN ('private', 'public')),
  owner text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, owner, article_id),
  CHECK ((scope = 'public') = (owner = ''))
);

-- Trigram candidates for a query (partial words, one-character typos). A function so that its
-- threshold (0.3 rather than pg_trgm's 0.6, which misses a typo in a short question) applies to
-- this search only, for the index operator <% as well, without a transaction per search.
CREATE FUNCTION kb_trigram_matches(q text, statuses text[], categories bigint[], lim integer)
RETURNS TABLE (id bigint, hits bigint, similarity real)
LANGUAGE sql STABLE
SET pg_trgm.word_similarity_threshold = 0.3
AS $$
  SELECT a.id, a.hits, word_similarity(q, a.trgm_text)
  FROM kb_articles a
  WHERE q <% a.trgm_text AND a.status = ANY (statuses) AND (categories IS NULL OR a.category_id = ANY (categories))
  ORDER BY 3 DESC, a.id
  LIMIT lim
$$;
