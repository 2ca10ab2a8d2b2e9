-- Record one landed import. grain: one row per import.
INSERT INTO import_ledger (import_id, table_name, file_name, file_sha256, imported_at, imported_by,
                           rows_in_file, rows_inserted, rows_updated, rows_unchanged, customers_created,
                           options, warnings)
VALUES ($import_id, $table_name, $file_name, $file_sha256, $imported_at, $imported_by, $rows_in_file,
        $rows_inserted, $rows_updated, $rows_unchanged, $customers_created, $options, $warnings);
