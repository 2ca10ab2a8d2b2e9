-- Whether the imports since the reporting layer was built ($since: the last import it was built for) only
-- appended orders: each an orders import that inserted rows and updated none, none of them undone.
-- grain: one row: imports since, whether all of them appended orders only.
SELECT count(*) AS imports,
       coalesce(bool_and(table_name = 'orders' AND rows_updated = 0 AND undone_at IS NULL), FALSE) AS appended
FROM import_ledger
WHERE import_id > $since;
