-- Cells that did not parse. grain: one row per (record, column), first $max_problems by record.
SELECT rec, unnest(_bad) AS column_name FROM typed WHERE len(_bad) > 0 ORDER BY rec LIMIT $max_problems;
