-- The rows an import merges (merge_import.sql), when the file lacks some of the table's columns ({{absent}}):
-- a row whose key is already stored keeps its stored values there (a file of ids and names must not
-- empty every other field); a new row gets what the typing gives a missing column (empty, or the
-- column's default). A column the file has and leaves blank still clears the stored value.
-- A table, not a view: the merge deletes the stored rows it replaces before it inserts these.
-- grain: one row per data record of the file. Import-only (DuckDB): UNION ALL BY NAME.
CREATE OR REPLACE TEMP TABLE incoming AS
WITH
new_rows AS (
    SELECT {{columns}} FROM typed ANTI JOIN (SELECT {{key}} FROM {{table}}) AS stored USING ({{key}})
),
stored_rows AS (
    SELECT *
    FROM (SELECT {{given}} FROM typed) AS given
    JOIN (SELECT {{key}}, {{absent}} FROM {{table}}) AS stored USING ({{key}})
)
SELECT * FROM new_rows
UNION ALL BY NAME
SELECT * FROM stored_rows;
