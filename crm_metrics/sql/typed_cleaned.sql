-- Shared head of the typed_<table> queries (included after WITH): every raw value cleaned once (see
-- crm_clean); rec numbers the file's data records from 0, in file order.
cleaned AS (
    SELECT rowid - (SELECT min(rowid) FROM stage) AS rec, crm_clean(COLUMNS(*), $plain, $ascii)
    FROM stage
),
