-- The import history, newest first. grain: one row per import.
SELECT import_id, table_name, file_name, imported_at, imported_by, rows_in_file, rows_inserted,
       rows_updated, rows_unchanged, customers_created, warnings, undone_at
FROM import_ledger ORDER BY import_id DESC;
