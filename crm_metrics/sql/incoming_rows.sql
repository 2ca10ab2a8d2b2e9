-- The rows an import merges (merge_import.sql), when the file gave every column of the table.
-- grain: one row per data record of the file.
CREATE OR REPLACE TEMP VIEW incoming AS SELECT {{columns}} FROM typed;
