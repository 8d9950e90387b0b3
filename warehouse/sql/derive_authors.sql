-- Stage 5, after identity resolution set authorships.author_id: authors and profile headers.
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
    SELECT author_id, min(score) AS weakest_join, count(*) AS joins FROM author_evidence GROUP BY author_id
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
       min(m.orcid) AS orcid,
       list(DISTINCT m.source_author_id ORDER BY m.source_author_id)
           FILTER (WHERE m.source_author_id IS NOT NULL) AS source_author_ids,
       count(DISTINCT m.work_id) AS works_count,
       min(m.display_year) AS first_year,
       max(m.display_year) AS last_year,
       count(*) AS mentions_count,
       coalesce(any_value(c.weakest_join), 1.0) AS identity_confidence,
       coalesce(any_value(r.n), 0) AS mentions_in_review
FROM mentions m
LEFT JOIN confidence c USING (author_id)
LEFT JOIN in_review r USING (author_id)
GROUP BY m.author_id
ORDER BY m.author_id
;
CREATE TABLE author_profiles AS
WITH coauthors AS (
    SELECT a.author_id, count(DISTINCT b.author_id) AS n
    FROM authorships a JOIN authorships b ON a.work_id = b.work_id AND a.author_id <> b.author_id
    WHERE a.author_id IS NOT NULL
    GROUP BY a.author_id
), author_topics AS (
    SELECT a.author_id, count(DISTINCT t.topic_id) AS n
    FROM authorships a JOIN work_topics t USING (work_id)
    WHERE a.author_id IS NOT NULL
    GROUP BY a.author_id
), latest_affiliation AS (
    -- The most recent work that names an institution (by id, else a raw string) supplies it.
    SELECT DISTINCT ON (a.author_id) a.author_id,
           coalesce(i.display_name, a.raw_affiliations[1]) AS affiliation
    FROM authorships a
    JOIN works w USING (work_id)
    LEFT JOIN institutions i ON i.institution_id = a.institution_ids[1]
    WHERE a.author_id IS NOT NULL AND (len(a.institution_ids) > 0 OR len(a.raw_affiliations) > 0)
    ORDER BY a.author_id, w.display_year DESC NULLS LAST, w.publication_date DESC NULLS LAST,
             a.work_id DESC
)
SELECT au.author_id, au.display_name, au.orcid, la.affiliation,
       au.works_count, coalesce(t.n, 0) AS topics_count, coalesce(c.n, 0) AS coauthor_count,
       au.first_year, au.last_year, $built_at::TIMESTAMPTZ AS updated_at
FROM authors au
LEFT JOIN coauthors c USING (author_id)
LEFT JOIN author_topics t USING (author_id)
LEFT JOIN latest_affiliation la USING (author_id)
ORDER BY au.author_id
