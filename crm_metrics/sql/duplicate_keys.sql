-- Keys that occur more than once in the file. grain: one row per duplicated key, first 100.
SELECT list(rec ORDER BY rec) AS recs, min(rec) AS first_rec FROM typed
GROUP BY {{key}} HAVING count(*) > 1 ORDER BY first_rec LIMIT 100;
