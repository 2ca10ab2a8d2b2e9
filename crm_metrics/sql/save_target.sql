-- Set one KPI target (replacing the one for the same KPI and period). grain: one row per (kpi, period).
DELETE FROM crm_targets WHERE kpi = $kpi AND period_start = $period_start AND period_end = $period_end;
INSERT INTO crm_targets (kpi, period_start, period_end, target, set_by, set_at)
VALUES ($kpi, $period_start, $period_end, $target, $set_by, $set_at);
