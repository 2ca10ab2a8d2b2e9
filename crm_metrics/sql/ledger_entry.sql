SELECT import_id, table_name, customers_created, undone_at FROM import_ledger WHERE import_id = $import_id;
