-- The rows of {{target}} that the incoming rows name but that are not yet stored get a minimal row (the key only),
-- owned by this import so that undo removes them. Only for a table whose key is its one required column
-- (customers). grain: the count of rows created.
INSERT INTO {{target}} ({{target_key}}, _import_id)
SELECT DISTINCT {{column}}, $import_id FROM typed
WHERE {{column}} IS NOT NULL AND {{column}} NOT IN (SELECT {{target_key}} FROM {{target}});
SELECT count(*) FROM {{target}} WHERE _import_id = $import_id;
