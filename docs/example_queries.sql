-- name: top_topic_per_year
-- The most frequent primary topic (or arXiv category) of each year's works.
SELECT w.display_year, tp.display_name AS topic, count(*) AS works
FROM work_topics wt JOIN works w USING (work_id) JOIN topics tp USING (topic_id)
WHERE wt.is_primary AND w.display_year IS NOT NULL
GROUP BY w.display_year, tp.display_name
QUALIFY row_number() OVER (PARTITION BY w.display_year ORDER BY count(*) DESC, tp.display_name) = 1
ORDER BY w.display_year DESC
LIMIT 10;

-- name: most_collaborative_authors
-- Authors with the most close collaborators (resolved identities, large collaborations excluded).
SELECT display_name, close_collaborators_count, coauthor_count, works_count
FROM author_profiles
ORDER BY close_collaborators_count DESC, coauthor_count DESC, display_name
LIMIT 10;

-- name: missing_abstracts_by_source
-- How many works have no abstract, by the sources that contributed them.
SELECT array_to_string(sources, '+') AS sources, count(*) FILTER (WHERE abstract IS NULL) AS missing,
       count(*) AS works
FROM works GROUP BY 1 ORDER BY 1;

-- name: papers_merged_from_several_records
-- Papers that more than one source record describes, and how the records were matched.
SELECT w.work_id, w.type, w.display_year,
       list(ws.source_work_id || ' (' || ws.matched_by || ')' ORDER BY ws.source_work_id) AS records
FROM works w JOIN work_sources ws USING (work_id)
GROUP BY w.work_id, w.type, w.display_year HAVING count(*) > 1 ORDER BY w.work_id;

-- name: quarantine_by_reason
-- What was not published, and why.
SELECT source, record_type, reason, count(*) AS records
FROM quarantine GROUP BY ALL ORDER BY records DESC, source, reason;
