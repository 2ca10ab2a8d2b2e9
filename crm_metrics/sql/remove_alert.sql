-- Remove one KPI alert. grain: one row per alert.
DELETE FROM crm_alerts WHERE alert_id = $alert_id RETURNING alert_id;
