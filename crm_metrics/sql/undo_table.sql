-- Undo one import on one table: drop what it wrote, restore what it replaced.
DELETE FROM {{table}} WHERE _import_id = $import_id;
INSERT INTO {{table}} SELECT * EXCLUDE (_replaced_by) FROM {{history}} WHERE _replaced_by = $import_id;
DELETE FROM {{history}} WHERE _replaced_by = $import_id;
