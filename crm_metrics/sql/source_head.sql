-- The first canonical rows a source writes into one table ({{table}}), in the file's order. grain: one row per
-- canonical row, at most 5.
SELECT * EXCLUDE (_line) FROM {{table}} ORDER BY _line LIMIT 5;
