-- Keys that occur more than once in the file. grain: one row per duplicated key, the first 100 by first record.
-- Memory stays bounded whatever the file: the duplicated keys are found with fixed-size states (count, first
-- record), and only for those 100 keys are the first six records kept (min(rec, 6)), never the list of all of a
-- key's records (a file repeating one key twenty million times).
WITH dupes AS (
    SELECT {{key}}, count(*) AS n, min(rec) AS first_rec
    FROM typed GROUP BY {{key}} HAVING count(*) > 1
    ORDER BY first_rec LIMIT 100
),
firsts AS (
    SELECT {{key}}, min(rec, 6) AS recs FROM typed SEMI JOIN dupes USING ({{key}}) GROUP BY {{key}}
)
SELECT recs, n, first_rec FROM firsts JOIN dupes USING ({{key}}) ORDER BY first_rec;
