-- How many imports were undone (the second part of the data version, sql/data_version.sql).
SELECT count(undone_at) FROM import_ledger;
