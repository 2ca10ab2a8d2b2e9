-- The file's rows naming a row that {{target}} does not hold, which the import refuses (a contact of an unknown
-- campaign). grain: one row per offending record, first 100.
SELECT rec, {{column}} FROM typed
WHERE {{column}} IS NOT NULL AND {{column}} NOT IN (SELECT {{target_key}} FROM {{target}})
ORDER BY rec LIMIT 100;
