UPDATE import_ledger SET undone_at = $undone_at WHERE import_id = $import_id;
