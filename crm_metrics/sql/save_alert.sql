-- Add one KPI alert. grain: one row per alert.
INSERT INTO crm_alerts (alert_id, kpi, measure, direction, threshold, days, set_by, set_at)
VALUES ((SELECT coalesce(max(alert_id), 0) + 1 FROM crm_alerts), $kpi, $measure, $direction, $threshold, $days,
        $set_by, $set_at)
RETURNING alert_id;
