-- The fingerprint of the schema script this database was last brought up to date with. grain: one row.
SELECT max(script_sha256) FROM main.crm_schema;
