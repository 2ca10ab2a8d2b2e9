-- An earlier, not undone, import of the same file into the same table.
SELECT import_id, imported_at FROM import_ledger
WHERE file_sha256 = $sha256 AND table_name = $table_name AND undone_at IS NULL
ORDER BY import_id LIMIT 1;
