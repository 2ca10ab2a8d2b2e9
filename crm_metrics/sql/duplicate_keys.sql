-- Keys that occur more than once in the file. grain: one row per duplicated key, first 100.
-- The duplicated keys are found first, so that record lists are built only for them.
WITH dupes AS (
    SELECT {{key}} FROM typed GROUP BY {{key}} HAVING count(*) > 1 LIMIT 100
),
numbered AS (
    SELECT rec, {{key}} FROM typed SEMI JOIN dupes USING ({{key}})
)
SELECT list(rec ORDER BY rec) AS recs, min(rec) AS first_rec FROM numbered
GROUP BY {{key}} ORDER BY first_rec;
