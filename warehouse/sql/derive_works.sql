-- Stage 3, after the Python merge registered merged_works and merged_sources: the published tables.
-- One statement per block; blocks are separated by a line holding only ';'.

CREATE TABLE work_sources AS
SELECT m.work_id, m.source_work_id, r.source, m.matched_by, m.match_score, r.raw_ref
FROM merged_sources m JOIN work_records r ON r.work_id = m.source_work_id
ORDER BY m.work_id, m.source_work_id
;
CREATE TABLE works AS
SELECT m.work_id, t.title, t.title_raw, a.abstract, a.abstract_raw, m.type, m.has_preprint,
       m.first_version_date, m.publication_date, m.display_year, m.venue, m.doi, m.arxiv_id,
       m.openalex_id, t.language, t.landing_url, m.sources, m.field_sources, m.authors_record,
       u.source_updated_at
FROM merged_works m
JOIN work_records t ON t.work_id = m.title_record
LEFT JOIN work_records a ON a.work_id = m.abstract_record
JOIN (
    SELECT s.work_id, max(r.source_updated_at) AS source_updated_at
    FROM merged_sources s JOIN work_records r ON r.work_id = s.source_work_id GROUP BY s.work_id
) u ON u.work_id = m.work_id
ORDER BY m.work_id
;
-- A paper uses the author list of one record (its authors_record: published OpenAlex first).
-- Mentions of its other records at the same position that share a name word are the same
-- mentions: their affiliations are added and their ids listed in merged_mention_ids.
CREATE TABLE merged_mentions AS
SELECT s.work_id AS paper_id, rm.*
FROM record_mentions rm JOIN merged_sources s ON s.source_work_id = rm.work_id
;
CREATE TABLE authorships AS
WITH same_mentions AS (
    SELECT k.mention_id, flatten(list(o.raw_affiliations)) AS affiliations,
           list(o.mention_id ORDER BY o.mention_id) AS ids
    FROM merged_mentions k
    JOIN merged_mentions o
      ON o.paper_id = k.paper_id AND o.work_id <> k.work_id AND o.position = k.position
     AND list_has_any(string_split(k.name_key, ' '), string_split(o.name_key, ' '))
    GROUP BY k.mention_id
)
SELECT k.mention_id, k.paper_id AS work_id, k.position, k.raw_name, k.name_key,
       CAST(NULL AS VARCHAR) AS author_id,  -- set by identity resolution (warehouse/author_step.py)
       k.source_author_id, k.orcid, k.institution_ids,
       CASE WHEN s.mention_id IS NULL THEN k.raw_affiliations
            ELSE list_sort(list_distinct(k.raw_affiliations || s.affiliations)) END AS raw_affiliations,
       k.is_corresponding, coalesce(s.ids, []) AS merged_mention_ids
FROM merged_mentions k
JOIN works w ON w.work_id = k.paper_id AND w.authors_record = k.work_id
LEFT JOIN same_mentions s ON s.mention_id = k.mention_id
ORDER BY k.paper_id, k.position
;
CREATE TABLE work_topics AS
SELECT s.work_id, t.topic_id, max(t.score) AS score, bool_or(t.is_primary) AS is_primary
FROM src_work_topics t
JOIN work_records r ON t.work_id = r.work_id AND t.raw_ref = r.raw_ref
JOIN merged_sources s ON s.source_work_id = t.work_id
GROUP BY ALL
ORDER BY s.work_id, t.topic_id
;
CREATE TABLE topics AS
SELECT DISTINCT ON (topic_id) topic_id, scheme, display_name, subfield, field, domain
FROM src_topics
WHERE topic_id IN (SELECT topic_id FROM work_topics)
ORDER BY topic_id, display_name, subfield NULLS LAST, field NULLS LAST, domain NULLS LAST
;
CREATE TABLE institutions AS
SELECT DISTINCT ON (institution_id) institution_id, display_name, ror, country_code, type
FROM src_institutions
ORDER BY institution_id, display_name, ror NULLS LAST, country_code NULLS LAST, type NULLS LAST
;
-- A record quarantined again in a later fetch is listed once, with its latest raw reference.
CREATE TABLE quarantine AS
SELECT source, record_type, record_id, reason, max(raw_ref) AS raw_ref
FROM src_quarantine
GROUP BY source, record_type, coalesce(record_id, raw_ref), record_id, reason
ORDER BY source, record_type, record_id, reason
