-- Derive the published tables from the normalized batches (src_*) and the lake state.
-- One statement per block; blocks are separated by a line holding only ';'.
-- The newest record of a work wins: latest source update, then latest raw page.

CREATE TABLE works AS
SELECT * EXCLUDE (rank_)
FROM (
    SELECT *, row_number() OVER (
        PARTITION BY work_id ORDER BY source_updated_at DESC NULLS LAST, raw_ref DESC
    ) AS rank_
    FROM src_works
)
WHERE rank_ = 1
ORDER BY work_id
;
-- Provisional author ids until identity resolution lands: the OpenAlex author id, or for
-- mentions without one (arXiv) the normalized name.
CREATE TABLE authorships AS
SELECT a.mention_id, a.work_id, a.position, a.raw_name, a.name_key,
       coalesce('openalex:' || a.source_author_id, 'name:' || a.name_key) AS author_id,
       a.source_author_id, a.orcid, a.institution_ids, a.raw_affiliations, a.is_corresponding
FROM src_authorships a
JOIN works w ON a.work_id = w.work_id AND a.raw_ref = w.raw_ref
ORDER BY a.work_id, a.position
;
CREATE TABLE work_topics AS
SELECT DISTINCT t.work_id, t.topic_id, t.score, t.is_primary
FROM src_work_topics t
JOIN works w ON t.work_id = w.work_id AND t.raw_ref = w.raw_ref
ORDER BY t.work_id, t.topic_id
;
CREATE TABLE topics AS
SELECT DISTINCT ON (topic_id) topic_id, scheme, display_name, subfield, field, domain
FROM src_topics
WHERE topic_id IN (SELECT topic_id FROM work_topics)
ORDER BY topic_id, display_name
;
CREATE TABLE institutions AS
SELECT DISTINCT ON (institution_id) institution_id, display_name, ror, country_code, type
FROM src_institutions
ORDER BY institution_id, display_name
;
-- A record quarantined again in a later fetch is listed once, with its latest raw reference.
CREATE TABLE quarantine AS
SELECT source, record_type, record_id, reason, max(raw_ref) AS raw_ref
FROM src_quarantine
GROUP BY source, record_type, coalesce(record_id, raw_ref), record_id, reason
ORDER BY source, record_type, record_id, reason
;
CREATE TABLE authors AS
WITH names AS (
    SELECT author_id, raw_name, count(*) AS uses
    FROM authorships GROUP BY author_id, raw_name
), mentions AS (
    SELECT a.author_id, a.raw_name, a.orcid, a.source_author_id, w.display_year, a.work_id
    FROM authorships a JOIN works w USING (work_id)
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
       max(m.display_year) AS last_year
FROM mentions m
GROUP BY m.author_id
ORDER BY m.author_id
;
CREATE TABLE author_profiles AS
WITH coauthors AS (
    SELECT a.author_id, count(DISTINCT b.author_id) AS n
    FROM authorships a JOIN authorships b ON a.work_id = b.work_id AND a.author_id <> b.author_id
    GROUP BY a.author_id
), author_topics AS (
    SELECT a.author_id, count(DISTINCT t.topic_id) AS n
    FROM authorships a JOIN work_topics t USING (work_id)
    GROUP BY a.author_id
), latest_affiliation AS (
    -- The most recent work that names an institution (by id, else a raw string) supplies it.
    SELECT DISTINCT ON (a.author_id) a.author_id,
           coalesce(i.display_name, a.raw_affiliations[1]) AS affiliation
    FROM authorships a
    JOIN works w USING (work_id)
    LEFT JOIN institutions i ON i.institution_id = a.institution_ids[1]
    WHERE len(a.institution_ids) > 0 OR len(a.raw_affiliations) > 0
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
