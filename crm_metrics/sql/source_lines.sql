-- The first line of the file behind each row of a source's canonical table ({{table}}), in the exported order.
-- grain: one row per canonical row.
SELECT _line FROM {{table}} ORDER BY _line;
