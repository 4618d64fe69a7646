-- The knowledge base's fallback search (docs/knowledge-base.md, "Search"): when every word of a
-- question (corrected) finds too little, articles ranked by how many of its words they hold.

-- How many articles hold each word, roughly: counted up as articles are written (an edited
-- article counts again; nothing counts down), enough to tell a rare word from 企业 or 纳税人. The
-- fallback reads only the rarest words' index lists (core/kb/query.ts coverageTsQuery).
ALTER TABLE kb_words ADD COLUMN ndoc integer NOT NULL DEFAULT 0;
UPDATE kb_words w SET ndoc = c.n
FROM (SELECT t AS word, count(*)::int AS n FROM kb_articles, unnest(tsvector_to_array(search_doc)) t GROUP BY t) c
WHERE w.word = c.word;

-- The fallback's candidates: at most `scan` articles matching `filter` (one of the rarest words),
-- each with how many of `groups` (every word, each a tsquery) it holds and ts_rank of `rankq` (their
-- OR: a word in the question counts most); the best `lim` by coverage then rank. Same planner
-- settings as kb_full_text (migration 013): always through the GIN index.
CREATE FUNCTION kb_coverage(filter tsquery, groups tsquery[], rankq tsquery, statuses text[], categories bigint[], scan integer, lim integer)
RETURNS TABLE (id bigint, hits bigint, covered integer, score double precision)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
  SELECT m.id, m.hits,
         (SELECT count(*)::int FROM unnest(groups) g WHERE m.search_doc @@ g) AS covered,
         ts_rank(m.search_doc, rankq)::double precision AS rank
  FROM (SELECT a.id, a.hits, a.search_doc FROM kb_articles a
        WHERE a.search_doc @@ filter AND (a.status || '') = ANY (statuses)
          AND (categories IS NULL OR (a.category_id + 0) = ANY (categories))
        LIMIT scan) m
  ORDER BY covered DESC, rank DESC, m.id LIMIT lim
$$;
