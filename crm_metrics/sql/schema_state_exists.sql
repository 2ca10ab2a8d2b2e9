-- Whether this database has the table that records its schema version (a new database has not). grain: one row.
SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'crm_schema';
