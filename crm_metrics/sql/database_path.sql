-- The file of the database this cursor works on (NULL for an in-memory database). grain: one row.
SELECT path FROM duckdb_databases() WHERE database_name = current_database();
