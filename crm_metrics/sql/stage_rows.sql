-- The raw staged values of a few records (to quote them in problem messages). grain: one row per record.
SELECT * FROM (SELECT rowid - (SELECT min(rowid) FROM stage) AS rec, * FROM stage)
WHERE list_contains($recs, rec) ORDER BY rec;
