-- Shared head of the typed_<table> queries (included after WITH): every raw value cleaned once (see
-- crm_clean), in file order.
cleaned AS (
    SELECT crm_clean(COLUMNS(*), $plain, $ascii)
    FROM stage
),
