-- Shared tail of the typed_<table> queries: the typed rows numbered in file order.
-- grain: one row per data record of the file; rec numbers the records from 0. CREATE TABLE AS keeps the
-- reader's order, so a row's rowid is its record's position; rows written in an open transaction have
-- rowids from a large base, hence the subtraction.
CREATE OR REPLACE TEMP VIEW typed AS
SELECT rowid - (SELECT min(rowid) FROM typed_rows) AS rec, * FROM typed_rows;
