-- The statuses a source's file writes (its view source_statuses), with their lines and what each imports as
-- under the status map in force (getvariable('crm_status_map'); NULL: the map does not know it).
-- grain: one row per status as written.
SELECT value, count(*) AS rows, getvariable('crm_status_map')[lower(value)] AS imported_as
FROM source_statuses WHERE value IS NOT NULL GROUP BY value ORDER BY rows DESC, value;
