-- One setting stored with the data (crm_settings), or NULL. grain: one row.
SELECT max(value) FROM crm_settings WHERE key = $key;
