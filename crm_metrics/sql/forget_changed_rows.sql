-- Before a refresh of the reporting layer inserts them anew: the rows of the changed customers (layer_keys).
DELETE FROM {{table}} WHERE {{column}} IN (SELECT {{column}} FROM layer_keys);
