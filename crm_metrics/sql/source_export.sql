-- One canonical table a source wrote ({{table}}: source_orders, ...), as a CSV file in the import's format, in the
-- order of the file's lines; the lines come back separately (source_lines.sql) to name them in problems.
COPY (SELECT * EXCLUDE (_line) FROM {{table}} ORDER BY _line) TO $path (HEADER, DELIMITER ',');
