-- Stage 1: one row per source record (the newest fetch of it wins: latest source update, then
-- latest raw page), before cross-source merging.
CREATE TABLE work_records AS
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
CREATE TABLE record_mentions AS
SELECT a.*
FROM src_authorships a
JOIN work_records r ON a.work_id = r.work_id AND a.raw_ref = r.raw_ref
