-- A file in a known layout (an import source, crm_metrics.sources) read as text into {{table}} (raw; raw_2 ...
-- for the further files of a source that reads several): the source's declared columns
-- under its own names ($columns, never the header's text), the others skipped, and the physical line of each
-- record (line 1 is the first line of the file; $skip lines before the header, a report's title and date range,
-- are passed over). Every value cleaned as the import cleans it (outer spaces, non-breaking and
-- invisible characters: crm_clean), so the source's SQL reads what the canonical import would.
-- grain: one row per data record, in file order.
CREATE OR REPLACE TEMP TABLE {{table}} AS
SELECT row_number() OVER () + 1 + $skip AS _line, crm_clean(COLUMNS(lambda c: NOT starts_with(c, '_skip')), false, false)
FROM read_csv($path, columns = $columns, header = true, skip = $skip, auto_detect = false, delim = $delimiter,
              quote = '"',
              escape = '"', strict_mode = true, null_padding = false, max_line_size = $max_line_size,
              parallel = false, compression = 'none');
SELECT count(*) FROM {{table}};
