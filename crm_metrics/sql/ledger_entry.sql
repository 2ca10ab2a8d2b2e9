-- One import-ledger row, as undo needs it. grain: one row (or none).
SELECT import_id, table_name, customers_created, undone_at, imported_by FROM import_ledger WHERE import_id = $import_id;
