-- Merge the typed rows of one import into a canonical table. Runs inside the import's transaction.
-- grain of matched: one row per incoming row whose key already exists.
-- Policy: a row whose key exists is replaced (its prior version kept in the history table for undo);
-- an identical row is left alone and counted as unchanged. The rows come from incoming
-- (incoming_rows.sql, or incoming_rows_keeping.sql when the file lacks some of the table's columns).

CREATE OR REPLACE TEMP TABLE matched AS
SELECT e._rid, e._row IS NOT DISTINCT FROM i._row AS _same, {{key}}
FROM (SELECT rowid AS _rid, {{key}}, row({{columns}}) AS _row FROM {{table}}) AS e
JOIN (SELECT {{key}}, row({{columns}}) AS _row FROM incoming) AS i USING ({{key}});

INSERT INTO {{history}}
SELECT *, $import_id FROM {{table}} WHERE rowid IN (SELECT _rid FROM matched WHERE NOT _same);

DELETE FROM {{table}} WHERE rowid IN (SELECT _rid FROM matched WHERE NOT _same);

INSERT INTO {{table}} ({{columns}}, _import_id)
SELECT {{columns}}, $import_id
FROM incoming ANTI JOIN (SELECT {{key}} FROM matched WHERE _same) AS same USING ({{key}});

SELECT count(*) FILTER (WHERE NOT _same) AS updated, count(*) FILTER (WHERE _same) AS unchanged FROM matched;
