-- The profile read model: one row per author holding the whole page as one JSON document, read by
-- author_id through a unique index (below). Built last, from the analyst tables, so the page and those
-- tables always agree.
CREATE TABLE profile_pages (
    author_id VARCHAR, updated_at TIMESTAMP WITH TIME ZONE, page VARCHAR, inputs_digest UBIGINT
)
;
-- A digest of everything each page is built from: the author's rows of the tables below (whole rows,
-- all of them, which is more than the page shows), its collaborators' display names, and $salt (the
-- page statement and the DuckDB version that turns it into JSON). A later build copies the page of
-- an author whose digest is unchanged instead of building it again (warehouse.build.build_pages),
-- stamped with this build's updated_at.
CREATE TEMP TABLE page_digests AS
WITH works AS (SELECT author_id, sum(hash(x)) AS h FROM author_works x GROUP BY author_id
), topics AS (SELECT author_id, sum(hash(x)) AS h FROM author_topics x GROUP BY author_id
), collaborators AS (
    SELECT c.author_id, sum(hash(c, p.display_name)) AS h
    FROM collaborations c JOIN author_profiles p ON p.author_id = c.coauthor_id GROUP BY c.author_id
), affiliations AS (SELECT author_id, sum(hash(x)) AS h FROM author_affiliations x GROUP BY author_id
), graph AS (SELECT author_id, sum(hash(x)) AS h FROM author_graph x GROUP BY author_id
), profiles AS (SELECT * EXCLUDE (updated_at) FROM author_profiles)
SELECT p.author_id, u.updated_at, hash(p, w.h, t.h, c.h, a.h, g.h, $salt) AS digest
FROM profiles p
JOIN author_profiles u USING (author_id)
LEFT JOIN works w USING (author_id)
LEFT JOIN topics t USING (author_id)
LEFT JOIN collaborators c USING (author_id)
LEFT JOIN affiliations a USING (author_id)
LEFT JOIN graph g USING (author_id)
;
-- Run once per batch of the authors in page_todo ($batch of $batches, by a hash of author_id): the
-- lists of a page are aggregated in memory, so a batch bounds what one statement holds (the works
-- lists alone are gigabytes at 1M works). With one batch no hash is computed.
INSERT INTO profile_pages
WITH batch AS (
    SELECT author_id FROM page_todo WHERE $batches = 1 OR hash(author_id) % $batches = $batch
), page_works AS (
    SELECT author_id,
           list(struct_pack(work_id, type, has_preprint, display_year, venue, title, abstract, links)
                ORDER BY rank) AS works
    FROM author_works
    WHERE rank <= $max_works AND author_id IN (SELECT author_id FROM batch)
    GROUP BY author_id
), page_topics AS (
    SELECT author_id,
           list(struct_pack(topic_id, name := display_name, field, works, weight) ORDER BY rank) AS topics
    FROM author_topics
    WHERE rank <= $max_topics AND author_id IN (SELECT author_id FROM batch)
    GROUP BY author_id
), ranked_collaborators AS (
    SELECT c.author_id, c.coauthor_id, p.display_name, c.shared_works, c.first_year, c.last_year,
           row_number() OVER (PARTITION BY c.author_id
                              ORDER BY c.shared_works DESC, c.last_year DESC, c.coauthor_id) AS k
    FROM collaborations c JOIN author_profiles p ON p.author_id = c.coauthor_id
    WHERE c.author_id IN (SELECT author_id FROM batch)
), page_collaborators AS (
    SELECT author_id,
           list(struct_pack(author_id := coauthor_id, name := display_name, shared_works, first_year,
                            last_year) ORDER BY k) AS collaborators
    FROM ranked_collaborators WHERE k <= $max_collaborators GROUP BY author_id
), page_affiliations AS (
    SELECT author_id,
           list(struct_pack(name, institution_id, first_year, last_year, works)
                ORDER BY last_year DESC NULLS LAST, works DESC, name) AS affiliations
    FROM author_affiliations
    WHERE author_id IN (SELECT author_id FROM batch)
    GROUP BY author_id
), page_graph AS (
    SELECT author_id,
           list(struct_pack(kind, target_id, label, weight, rank) ORDER BY kind, rank) AS graph
    FROM author_graph
    WHERE author_id IN (SELECT author_id FROM batch)
    GROUP BY author_id
)
SELECT p.author_id, p.updated_at,
       to_json(struct_pack(
           p.author_id, p.display_name, p.name_variants, p.summary, p.affiliation, p.works_count,
           p.topics_count, p.close_collaborators_count, p.coauthor_count, p.first_year, p.last_year,
           p.orcid, p.source_author_ids, p.identity_confidence, p.mentions_in_review,
           p.verification_level,
           works := coalesce(w.works, []), topics := coalesce(t.topics, []),
           collaborators := coalesce(c.collaborators, []), affiliations := coalesce(a.affiliations, []),
           graph := coalesce(g.graph, [])
       ))::VARCHAR AS page,
       d.digest
FROM author_profiles p
JOIN batch USING (author_id)
JOIN page_digests d USING (author_id)
LEFT JOIN page_works w USING (author_id)
LEFT JOIN page_topics t USING (author_id)
LEFT JOIN page_collaborators c USING (author_id)
LEFT JOIN page_affiliations a USING (author_id)
LEFT JOIN page_graph g USING (author_id)
ORDER BY p.author_id
;
-- A point read by author_id goes through this index and fetches the one row's page. Without it DuckDB
-- scans the 2,048-row vector around the row and reads the page of each (a few KB each: megabytes
-- per read of a 1M-work warehouse, 6 ms p50 against 1.4 ms from a fresh reader). It also makes a
-- second row for one author fail the build instead of being published.
CREATE UNIQUE INDEX profile_pages_author_id ON profile_pages (author_id)
