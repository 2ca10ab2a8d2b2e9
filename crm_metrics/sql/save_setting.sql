-- Store one setting with the data (crm_settings: one row per key).
DELETE FROM crm_settings WHERE key = $key;
INSERT INTO crm_settings VALUES ($key, $value);
