-- The columns of every table of the database, in order: the shapes the Spark engine gives the lake's
-- tables. grain: one row per (table, column).
SELECT table_name, column_name, data_type
FROM duckdb_columns()
WHERE schema_name = 'main' AND database_name = current_database() AND NOT internal
ORDER BY table_name, column_index;
