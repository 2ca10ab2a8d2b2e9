-- Strict load of a CSV file into an all-text stage. Column names are ours ($columns), never the header's.
-- compression = 'none': the import unpacks a .gz itself; DuckDB would read a plain file named .csv.gz as gzip.
CREATE OR REPLACE TEMP TABLE stage AS
SELECT COLUMNS(lambda c: NOT starts_with(c, '_skip'))
FROM read_csv($path, columns = $columns, header = true, auto_detect = false, delim = $delimiter,
              quote = '"', escape = '"', strict_mode = true, null_padding = false, store_rejects = true,
              max_line_size = $max_line_size, parallel = true, compression = 'none');
