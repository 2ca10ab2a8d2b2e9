-- Ids of the file that the import stores in another spelling than written: decomposed Unicode composed (NFC),
-- invisible format characters removed (crm_id), so that ids that look alike are one key. Run for files with
-- non-ASCII bytes only (an ASCII id has nothing to change). grain: one row, the count for one id column.
SELECT count(*) AS n
FROM (SELECT crm_clean({{column}}, false, false) AS v FROM stage)
WHERE crm_text(v) IS DISTINCT FROM crm_id(v, false);
