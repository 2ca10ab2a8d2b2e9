-- Remember which schema script this database is up to date with, so that opening it again writes nothing.
CREATE TABLE IF NOT EXISTS main.crm_schema (script_sha256 VARCHAR NOT NULL);
DELETE FROM main.crm_schema;
INSERT INTO main.crm_schema VALUES ($script_sha256);
