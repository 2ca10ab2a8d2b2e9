-- What a source found wrong in the file (its view source_problems), first lines first.
-- grain: one row per (line, column) problem, at most 100.
SELECT _line, column_name, value, rule FROM source_problems ORDER BY _line, column_name LIMIT 100;
