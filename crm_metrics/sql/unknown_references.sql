-- The file's rows naming a row that {{target}} does not hold: how many and the first. grain: one row.
SELECT count(*) AS n, min(rec) AS first_rec FROM typed
WHERE {{column}} IS NOT NULL AND {{column}} NOT IN (SELECT {{target_key}} FROM {{target}});
