-- Every KPI alert, oldest first. grain: one row per alert.
SELECT alert_id, kpi, measure, direction, threshold, days, set_by, set_at
FROM crm_alerts
ORDER BY alert_id;
