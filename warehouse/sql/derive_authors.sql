-- Stage 5, after identity resolution set authorships.author_id and the affiliation step created
-- mention_institutions: authors, their topics, collaborations, affiliations, works list, graph
-- slice and profile rows. Parameters: built_at, close_min (shared works that make a close
-- collaborator), max_authors (papers with more authors do not count as collaborations).
-- One statement per block; blocks are separated by a line holding only ';'.

CREATE TABLE authors AS
WITH names AS (
    SELECT author_id, raw_name, count(*) AS uses
    FROM authorships WHERE author_id IS NOT NULL GROUP BY author_id, raw_name
), mentions AS (
    SELECT a.author_id, a.raw_name, a.orcid, a.source_author_id, w.display_year, a.work_id
    FROM authorships a JOIN works w USING (work_id)
    WHERE a.author_id IS NOT NULL
), confidence AS (
    SELECT author_id, min(score) AS weakest_join FROM author_evidence GROUP BY author_id
), in_review AS (
    SELECT author_id, count(*) AS n FROM (
        SELECT left_author AS author_id FROM identity_reviews
        UNION ALL SELECT right_author FROM identity_reviews
    ) GROUP BY author_id
)
SELECT m.author_id,
       (SELECT raw_name FROM names n WHERE n.author_id = m.author_id
        ORDER BY uses DESC, raw_name LIMIT 1) AS display_name,
       list(DISTINCT m.raw_name ORDER BY m.raw_name) AS name_variants,
       CASE WHEN count(DISTINCT m.orcid) = 1 THEN min(m.orcid) END AS orcid,
       count(DISTINCT m.orcid) AS orcids_seen,
       list(DISTINCT m.source_author_id ORDER BY m.source_author_id)
           FILTER (WHERE m.source_author_id IS NOT NULL) AS source_author_ids,
       count(DISTINCT m.work_id) AS works_count,
       min(m.display_year) AS first_year,
       max(m.display_year) AS last_year,
       count(*) AS mentions_count,
       -- Two decimals: a confidence, and reused author units keep the term weights of the run that
       -- resolved them (dedupe/incremental.py), which moves raw scores in the 4th decimal.
       round(coalesce(any_value(c.weakest_join), 1.0), 2) AS identity_confidence,
       coalesce(any_value(r.n), 0) AS mentions_in_review
FROM mentions m
LEFT JOIN confidence c USING (author_id)
LEFT JOIN in_review r USING (author_id)
GROUP BY m.author_id
ORDER BY m.author_id
;
-- Topic weight: sum over works of the topic score, discounted by 0.8 per year before the author's
-- latest work (recent work counts more). A topic counts toward topics_count when a work carries it
-- with score >= 0.5 (OpenAlex topic scores; arXiv categories score 1).
CREATE TABLE author_topics AS
WITH weighted AS (
    SELECT a.author_id, t.topic_id, a.work_id, coalesce(t.score, 1.0) AS score,
           coalesce(t.score, 1.0) * pow(0.8, greatest(au.last_year - w.display_year, 0)) AS weight
    FROM authorships a
    JOIN works w USING (work_id)
    JOIN authors au USING (author_id)
    JOIN work_topics t USING (work_id)
)
SELECT x.author_id, x.topic_id, tp.display_name, tp.field, tp.domain,
       count(DISTINCT x.work_id) AS works, round(sum(x.weight), 4) AS weight,
       max(x.score) >= 0.5 AS counted,
       row_number() OVER (PARTITION BY x.author_id ORDER BY sum(x.weight) DESC, x.topic_id) AS rank
FROM weighted x JOIN topics tp USING (topic_id)
GROUP BY x.author_id, x.topic_id, tp.display_name, tp.field, tp.domain
ORDER BY x.author_id, rank
;
-- Each author once per work first (two mentions of one author on a work are one collaboration),
-- so the pairs are counted, not counted distinct.
CREATE TABLE collaborations AS
WITH small_works AS (
    SELECT work_id FROM authorships GROUP BY work_id HAVING count(*) <= $max_authors
), work_authors AS (
    SELECT DISTINCT a.work_id, a.author_id, w.display_year
    FROM authorships a SEMI JOIN small_works USING (work_id) JOIN works w USING (work_id)
    WHERE a.author_id IS NOT NULL
)
SELECT a.author_id, b.author_id AS coauthor_id, count(*) AS shared_works,
       min(a.display_year) AS first_year, max(a.display_year) AS last_year
FROM work_authors a
JOIN work_authors b ON a.work_id = b.work_id AND a.author_id <> b.author_id
GROUP BY a.author_id, b.author_id
ORDER BY a.author_id, shared_works DESC, coauthor_id
;
CREATE TABLE author_affiliations AS
SELECT a.author_id, mi.institution_id, mi.name, min(mi.how) AS matched_by,
       min(w.display_year) AS first_year, max(w.display_year) AS last_year,
       count(DISTINCT a.work_id) AS works
FROM authorships a
JOIN mention_institutions mi USING (mention_id)
JOIN works w ON w.work_id = a.work_id
WHERE a.author_id IS NOT NULL
GROUP BY a.author_id, mi.institution_id, mi.name
ORDER BY a.author_id, last_year DESC NULLS LAST, works DESC, mi.name
;
CREATE TABLE author_works AS
-- Not sorted: ordering these wide rows (every abstract, once per author of a work) ran out of memory
-- under a memory limit that everything else fits in; readers order by rank.
SELECT a.author_id,
       row_number() OVER (PARTITION BY a.author_id ORDER BY w.display_year DESC NULLS LAST,
           coalesce(w.publication_date, w.first_version_date) DESC NULLS LAST, w.title, w.work_id) AS rank,
       w.work_id, w.type, w.has_preprint, w.display_year, w.venue, w.title, w.abstract, w.doi,
       w.arxiv_id, a.position,
       list_filter([w.landing_url,
                    CASE WHEN w.doi IS NOT NULL THEN 'https://doi.org/' || w.doi END,
                    CASE WHEN w.arxiv_id IS NOT NULL THEN 'https://arxiv.org/abs/' || w.arxiv_id END],
                   lambda x: x IS NOT NULL) AS links
FROM (SELECT DISTINCT ON (author_id, work_id) * FROM authorships
      WHERE author_id IS NOT NULL ORDER BY author_id, work_id, position) a
JOIN works w ON w.work_id = a.work_id
;
CREATE TABLE author_graph AS
-- Not sorted, as author_works: at 1M works sorting it ran out of memory under a 2 GB limit.
SELECT * FROM (
    SELECT author_id, 'paper' AS kind, work_id AS target_id, title AS label,
           CAST(display_year AS DOUBLE) AS weight, rank FROM author_works
    UNION ALL
    SELECT c.author_id, 'person', c.coauthor_id, au.display_name, c.shared_works,
           row_number() OVER (PARTITION BY c.author_id ORDER BY c.shared_works DESC, c.last_year DESC,
                              c.coauthor_id)
    FROM collaborations c JOIN authors au ON au.author_id = c.coauthor_id
    UNION ALL
    SELECT author_id, 'topic', topic_id, display_name, weight, rank FROM author_topics
    UNION ALL
    SELECT author_id, 'institution', coalesce(institution_id, name), name, works,
           row_number() OVER (PARTITION BY author_id ORDER BY works DESC, last_year DESC, name)
    FROM author_affiliations
)
WHERE rank <= 5
;
CREATE TABLE author_profiles AS
WITH current_affiliation AS (
    SELECT DISTINCT ON (author_id) author_id, name AS affiliation
    FROM author_affiliations ORDER BY author_id, last_year DESC NULLS LAST, works DESC, name
), topic_counts AS (
    SELECT author_id, count(*) FILTER (WHERE counted) AS n FROM author_topics GROUP BY author_id
), collaborator_counts AS (
    SELECT author_id, count(*) AS coauthors, count(*) FILTER (WHERE shared_works >= $close_min) AS close
    FROM collaborations GROUP BY author_id
)
SELECT au.author_id, au.display_name, au.name_variants, CAST(NULL AS VARCHAR) AS summary,
       ca.affiliation, au.works_count, coalesce(t.n, 0) AS topics_count,
       coalesce(c.close, 0) AS close_collaborators_count, coalesce(c.coauthors, 0) AS coauthor_count,
       au.first_year, au.last_year, au.orcid, au.source_author_ids, au.identity_confidence,
       au.mentions_in_review,
       CASE WHEN au.orcid IS NOT NULL THEN 'L2' ELSE 'L1' END AS verification_level,
       $built_at::TIMESTAMPTZ AS updated_at
FROM authors au
LEFT JOIN current_affiliation ca USING (author_id)
LEFT JOIN topic_counts t USING (author_id)
LEFT JOIN collaborator_counts c USING (author_id)
ORDER BY au.author_id
