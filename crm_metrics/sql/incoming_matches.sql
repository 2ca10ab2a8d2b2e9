-- Whether any row of an import already has its key stored ({{table}}): only then do the columns the file lacks
-- need the stored values (incoming_rows_keeping.sql). grain: one row.
SELECT EXISTS (SELECT 1 FROM (SELECT {{key}} FROM typed) AS given JOIN (SELECT {{key}} FROM {{table}}) AS stored
               USING ({{key}}));
