-- The file's rows naming a row of their own table that neither the table nor the file holds (a customer referred
-- by an unknown customer): how many and the first. grain: one row.
SELECT count(*) AS n, min(rec) AS first_rec FROM typed
WHERE {{column}} IS NOT NULL
  AND {{column}} NOT IN (SELECT {{target_key}} FROM {{target}})
  AND {{column}} NOT IN (SELECT {{target_key}} FROM typed);
