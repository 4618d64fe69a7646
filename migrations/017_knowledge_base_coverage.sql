-- The knowledge base's fallback search (docs/knowledge-base.md, "Search"): when every word of a
-- question (corrected) finds too little, articles holding most of its words. `filter` is an OR of
-- ANDs ("at least k of the n words", built by core/kb/query.ts coverageTsQuery) so the GIN index
-- finds the candidates; at most `scan` of them are ranked by ts_rank of `rankq`, the OR of every
-- word (more words held, and held in the question rather than the answer, rank higher). Same
-- planner settings as kb_full_text (migration 013): always through the GIN index.
CREATE FUNCTION kb_coverage(filter tsquery, rankq tsquery, statuses text[], categories bigint[], scan integer, lim integer)
RETURNS TABLE (id bigint, hits bigint, score double precision)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
  SELECT m.id, m.hits, ts_rank(m.search_doc, rankq)::double precision AS rank
  FROM (SELECT a.id, a.hits, a.search_doc FROM kb_articles a
        WHERE a.search_doc @@ filter AND (a.status || '') = ANY (statuses)
          AND (categories IS NULL OR (a.category_id + 0) = ANY (categories))
        LIMIT scan) m
  ORDER BY rank DESC, m.id LIMIT lim
$$;
