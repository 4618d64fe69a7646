-- The knowledge base's words (docs/knowledge-base.md, "Search"): every word jieba found in an
-- article, once. A query's word that no article holds (a typo, mostly) is looked up here by
-- trigram similarity, or left out, before the full-text search is tried again: a trigram
-- search over 100,000 articles' questions cost 300–1000 ms a query (measured), over this list
-- well under a millisecond. COLLATE "C" so a prefix (a word still being typed) is a range of the primary key.
CREATE TABLE kb_words (
  word text COLLATE "C" PRIMARY KEY
);
CREATE INDEX kb_words_trgm ON kb_words USING gin (word gin_trgm_ops);
INSERT INTO kb_words SELECT DISTINCT unnest(tsvector_to_array(search_doc)) FROM kb_articles ON CONFLICT DO NOTHING;

-- Words like `w` (pg_trgm similarity ≥ 0.3, through the index), most similar first.
CREATE FUNCTION kb_similar_words(w text, lim integer)
RETURNS TABLE (word text, similarity real)
LANGUAGE sql STABLE
SET pg_trgm.similarity_threshold = 0.3
AS $$
  SELECT k.word, similarity(w, k.word) FROM kb_words k WHERE k.word % w ORDER BY 2 DESC, 1 LIMIT lim
$$;

-- Replaced by kb_words: over whole questions the trigram search could not be made fast enough
-- (trgm_text stays, for word_similarity on the few candidates the full text found).
DROP FUNCTION kb_trigram_matches(text, text[], bigint[], integer);
DROP INDEX IF EXISTS kb_articles_trgm;

-- The full-text candidates of a query: at most `scan` matches, the best `lim` by ts_rank (or, with
-- `similar_to`, by pg_trgm's word_similarity of that text with the question and keywords).
-- Always through the GIN index: with the LIMIT the planner would otherwise read the table in order
-- (or the status index) hoping to meet `scan` matches early, 400 ms for a common word (measured
-- at 100,000 articles). Status and category are filtered as expressions for the same reason.
CREATE FUNCTION kb_full_text(q tsquery, statuses text[], categories bigint[], scan integer, lim integer, similar_to text)
RETURNS TABLE (id bigint, hits bigint, score double precision)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
  SELECT best.id, best.hits, CASE WHEN similar_to IS NULL THEN best.rank ELSE word_similarity(similar_to, best.trgm_text) END
  FROM (SELECT m.id, m.hits, m.trgm_text, ts_rank(m.search_doc, q) AS rank
        FROM (SELECT a.id, a.hits, a.trgm_text, a.search_doc FROM kb_articles a
              WHERE a.search_doc @@ q AND (a.status || '') = ANY (statuses)
                AND (categories IS NULL OR (a.category_id + 0) = ANY (categories))
              LIMIT scan) m
        ORDER BY rank DESC, m.id LIMIT lim) best
$$;
