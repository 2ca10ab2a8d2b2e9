-- Imports after $import_id, not undone, that wrote to a table it wrote to. grain: one row per import.
SELECT import_id, table_name FROM import_ledger
WHERE import_id > $import_id AND undone_at IS NULL
  AND (list_contains($tables, table_name) OR (customers_created > 0 AND list_contains($tables, 'customers')))
ORDER BY import_id;
