-- Where the data came from: every import that is not undone, with its file name and options (the
-- generator's parameters for a generated sample). grain: one row per live import.
SELECT table_name, file_name, options FROM import_ledger WHERE undone_at IS NULL ORDER BY import_id;
