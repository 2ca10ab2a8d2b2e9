-- The file read where it lies: the same strict reader as load_stage, as a view that the typed_<table>
-- query reads once (no all-text copy of the file). grain: one row per data record, in file order.
-- A view cannot hold prepared parameters, so the path and columns pass through session variables.
SET VARIABLE crm_stage_path = $path;
SET VARIABLE crm_stage_columns = $columns;
SET VARIABLE crm_stage_delimiter = $delimiter;
SET VARIABLE crm_stage_max_line_size = $max_line_size;
CREATE OR REPLACE TEMP VIEW stage AS
SELECT COLUMNS(lambda c: NOT starts_with(c, '_skip'))
FROM read_csv(getvariable('crm_stage_path'), columns = getvariable('crm_stage_columns'), header = true,
              auto_detect = false, delim = getvariable('crm_stage_delimiter'), quote = '"', escape = '"',
              strict_mode = true, null_padding = false, store_rejects = true,
              max_line_size = getvariable('crm_stage_max_line_size'), parallel = true, compression = 'none');
